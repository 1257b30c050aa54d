/**
 * @module
 * Small crypto primitives on WebCrypto: digests and constant-time comparison.
 */
import { hex } from "./encoding";

const encoder = new TextEncoder();

/** SHA-256 of a string (as UTF-8) or of bytes, as lowercase hex. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data);
  return hex(digest);
}

/**
 * Compares two secrets in constant time. Both sides are hashed first so that neither the
 * content nor the length of the expected secret leaks through timing.
 * @example
 * if (!(await secretsEqual(presented, env.STEPGATE_ADMIN_KEY))) throw unauthorized;
 */
export async function secretsEqual(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(presented)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Compares two strings of public length (hex digests, say) in constant time.
 * @example
 * if (digestsEqual(storedHash, await sha256Hex(secret))) // …
 */
export function digestsEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  return left.length === right.length && crypto.subtle.timingSafeEqual(left, right);
}
