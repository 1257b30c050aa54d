/**
 * @module
 * Where a browser may be sent back to after a challenge: only a path on the same host.
 */

const SAME_HOST = "https://same-host.invalid";

/**
 * `value` as a path on the request's own host, or `fallback` when it could lead anywhere else
 * (`//evil.example`, `/\evil.example`, `https://…`, `javascript:`, control characters).
 * Idempotent: a path it returns comes back unchanged, so reading it again can never turn it
 * into another host.
 * @example
 * sameHostPath("//evil.example/x") // "/"
 * sameHostPath("/wallet?tab=2")    // "/wallet?tab=2"
 */
export function sameHostPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || !isPlainPath(value)) return fallback;
  const parsed = new URL(value, SAME_HOST);
  if (parsed.origin !== SAME_HOST) return fallback;
  const path = parsed.pathname + parsed.search + parsed.hash;
  // Removing dot segments can leave `//` in front (`/.//evil.example`, `/a/..//evil.example`):
  // a browser reads that as another host. The result must pass the same check as the input.
  return isPlainPath(path) ? path : fallback;
}

/** Starts with one `/` and holds nothing a browser could rewrite into another host. */
function isPlainPath(value: string): boolean {
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return false;
  // Browsers drop tabs and newlines and read `\` as `/` in URLs; refuse anything they could rewrite.
  return !/[\u0000-\u001f\u007f\\]/.test(value);
}
