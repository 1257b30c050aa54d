/**
 * @module
 * Backup codes: random one-time codes shown once, stored only as keyed hashes
 * (see `lib/keyed-hash`), so 50 bits each is plenty.
 */

/** Crockford base32: no I, L, O, U, so codes read aloud or copied by hand survive. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const CODE_CHARS = 10;

/**
 * `count` fresh codes formatted `xxxxx-xxxxx`.
 * @example
 * newBackupCodes(10) // ["7k2mq-c9x4d", ...]
 */
export function newBackupCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    const bytes = crypto.getRandomValues(new Uint8Array(CODE_CHARS));
    const chars = [...bytes].map((b) => ALPHABET[b & 31]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What the user typed, in the stored form: lower case, no separators, look-alikes mapped. */
export function normalizeBackupCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
}
