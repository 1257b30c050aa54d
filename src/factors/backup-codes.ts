/**
 * @module
 * Backup codes: random one-time codes shown once, stored only as keyed hashes. The hash is an
 * HMAC under a key the database never sees, so a stolen storage dump cannot be brute-forced
 * offline even though each code has only 50 bits.
 */
import { currentKey, keyById } from "../lib/keyring";

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

/**
 * `kid:hex` keyed hash of a normalised code, bound to its owner by `context`.
 * @example
 * const stored = await hashBackupCode(env, `${tenantId}:${userId}`, normalizeBackupCode(code));
 */
export async function hashBackupCode(env: Env, context: string, normalized: string): Promise<string> {
  const { kid, key } = await currentKey(env, "code-hash");
  return `${kid}:${await hmacHex(key, `${context}\u0000${normalized}`)}`;
}

/** Every hash the code could be stored under: one per configured key id in `kids`. */
export async function candidateHashes(env: Env, context: string, normalized: string, kids: Iterable<string>): Promise<string[]> {
  const hashes: string[] = [];
  for (const kid of new Set(kids)) {
    const key = await keyById(env, "code-hash", kid);
    if (key) hashes.push(`${kid}:${await hmacHex(key, `${context}\u0000${normalized}`)}`);
  }
  return hashes;
}

async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
