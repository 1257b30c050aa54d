/** The table `npm run bench` prints and writes to bench/results.md and docs/benchmark.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import type { Row } from "../scenarios/scenario";
import { errorsInWords, type Measured } from "./load";
import type { Spread } from "./stats";

/** How far the quartiles may lie from the median for a ratio to be read to two decimals. */
export const TIGHT = 0.03;

const COLUMNS = [
  "scenario",
  "stepgate",
  "p50 ms",
  "p99 ms",
  "correct proxy",
  "ratio to correct proxy (IQR)",
  "bare proxy",
  "ratio to bare proxy (IQR)",
  "DO calls/req",
  "KV reads/req",
  "target",
  "met",
];
const RIGHT_ALIGNED = new Set([
  "stepgate",
  "p50 ms",
  "p99 ms",
  "correct proxy",
  "ratio to correct proxy (IQR)",
  "bare proxy",
  "ratio to bare proxy (IQR)",
  "DO calls/req",
  "KV reads/req",
]);

/**
 * A row of requests sent one at a time whose target is their p99: their rate, with any answer
 * other than 2xx said, and met when the p99 is within `p99TargetMs` and every answer was a 2xx.
 */
export function latencyRow(scenario: string, measured: Measured, calls: Row["calls"], p99TargetMs: number | null): Row {
  return {
    scenario,
    stepgate: `${Math.round(measured.rps).toLocaleString("en")} req/s${errorsInWords(measured)}`,
    p50: measured.p50,
    p99: measured.p99,
    calls,
    target: p99TargetMs === null ? null : `p99 ≤ ${p99TargetMs} ms`,
    met: p99TargetMs === null ? null : measured.p99 <= p99TargetMs && measured.errors === 0,
  };
}

/** `0.87 (0.85–0.89)`, marked when the quartiles lie further than {@link TIGHT} from the median. */
export function ratioCell(spread: Spread): string {
  const wide = spread.median - spread.q1 > TIGHT || spread.q3 - spread.median > TIGHT;
  return `${spread.median.toFixed(2)} (${spread.q1.toFixed(2)}–${spread.q3.toFixed(2)})${wide ? " ⚠" : ""}`;
}

function cells(row: Row): string[] {
  const dash = (value: string | undefined) => value ?? "—";
  return [
    row.scenario,
    row.stepgate,
    row.p50 === undefined ? "—" : String(row.p50),
    row.p99 === undefined ? "—" : String(row.p99),
    dash(row.correct),
    row.ratio ? ratioCell(row.ratio) : "—",
    dash(row.bare),
    row.bareRatio ? ratioCell(row.bareRatio) : "—",
    row.calls ? row.calls.durableObject.toFixed(2) : "—",
    row.calls ? row.calls.kv.toFixed(3) : "—",
    row.target ?? "(no target)",
    row.met === null ? "—" : row.met ? "met" : "missed",
  ];
}

/** The rows as a Markdown table, its columns padded so that it reads as a table in a terminal too. */
export function table(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...body.map((line) => [...line[i]!].length)));
  const pad = (text: string, i: number) => (RIGHT_ALIGNED.has(COLUMNS[i]!) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const line = (values: string[]) => `| ${values.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (RIGHT_ALIGNED.has(COLUMNS[i]!) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(COLUMNS), rule, ...body.map(line)].join("\n");
}

/** The report: when and where it was measured, how, and the table. */
export function report(rows: Row[], notes: string[]): string {
  const when = `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch} (${cpus().length} cores), Node ${process.version}.`;
  return [[when, ...notes].join(" "), "", table(rows), "", "![stepgate throughput as a share of the references'](results.svg)", ""].join("\n");
}

/** Puts the report between the `bench:start` and `bench:end` markers of docs/benchmark.md. */
export function quoteInDocs(markdown: string): void {
  const doc = readFileSync("docs/benchmark.md", "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  if (!doc.includes(start)) return;
  const quoted = markdown.replace("(results.svg)", "(../bench/results.svg)");
  writeFileSync("docs/benchmark.md", `${doc.slice(0, doc.indexOf(start) + start.length)}\n${quoted}\n${doc.slice(doc.indexOf(end))}`);
}
