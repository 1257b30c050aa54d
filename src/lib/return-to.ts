/**
 * @module
 * Where a browser may be sent back to after a challenge: only a path on the same host.
 */

/**
 * `value` as a path on the request's own host, or `fallback` when it could lead anywhere else
 * (`//evil.example`, `/\evil.example`, `https://…`, `javascript:`, control characters).
 * @example
 * sameHostPath("//evil.example/x") // "/"
 * sameHostPath("/wallet?tab=2")    // "/wallet?tab=2"
 */
export function sameHostPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  // Browsers drop tabs and newlines and read `\` as `/` in URLs; refuse anything they could rewrite.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  const base = "https://same-host.invalid";
  const parsed = new URL(value, base);
  if (parsed.origin !== base) return fallback;
  return parsed.pathname + parsed.search + parsed.hash;
}
