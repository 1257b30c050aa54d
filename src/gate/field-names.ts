/**
 * @module
 * How lenient readers compare request field names. Two names with one key are one field to
 * some origin, so stepgate never treats them as two.
 */

/**
 * The name a field has for the laxest common reader: case folded (ASP.NET, Go), PHP's
 * rewriting of the top-level name (leading spaces dropped; `.`, space and an unclosed `[`
 * become `_`). Two fields with one key are one field to some origin.
 * @example
 * fieldKey("Amount.x") === fieldKey("amount_x") // true
 */
export function fieldKey(name: string): string {
  const trimmed = name.replace(/^ +/, "");
  const open = trimmed.indexOf("[");
  const closed = open !== -1 && trimmed.indexOf("]", open) !== -1;
  const base = closed ? trimmed.slice(0, open) : trimmed;
  const rest = closed ? trimmed.slice(open) : "";
  return fold(base.replace(/[. []/g, "_") + rest);
}

/** PHP's top-level name of a field: `to[name]` is part of `to`. */
export function baseKey(name: string): string {
  const key = fieldKey(name);
  const open = key.indexOf("[");
  return open === -1 ? key : key.slice(0, open);
}

/** Case folding as lenient readers compare names (NFKC first: `ſ` and `K` fold to `s` and `k`). */
export function fold(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

/**
 * Whether a field sent as `name` could be read as the field `shown` (or part of it): the same
 * key, or `shown[…`, which PHP, Rack and qs read as an array or hash named `shown` even unclosed.
 * @example
 * couldBeField("To[", "to") // true
 */
export function couldBeField(name: string, shown: string): boolean {
  if (shown.includes("[")) return fieldKey(name) === fieldKey(shown);
  return baseKey(name) === baseKey(shown) || fold(name.replace(/^ +/, "")).startsWith(`${fold(shown)}[`);
}

/**
 * A URL-encoded form's name or value decoded (`+` is a space), or `null` for a malformed escape.
 * @example
 * decodeFormComponent("amoun%74") // "amount"
 */
export function decodeFormComponent(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return null;
  }
}
