/**
 * @module
 * Keyed hashes for short secrets at rest (backup codes, texted and emailed codes): an HMAC
 * under the derived `code-hash` key, which the database never sees, so a stolen storage dump
 * cannot be brute-forced offline even though the codes are short. Stored as `kid:hex`.
 */
import { hex } from "./encoding";
import { currentKey, keyById } from "./keyring";

/**
 * @example
 * const stored = await keyedHash(env, `${owner}:backup`, "7k2mqc9x4d");
 */
export async function keyedHash(env: Env, context: string, value: string): Promise<string> {
  const { kid, key } = await currentKey(env, "code-hash");
  return `${kid}:${await hmacHex(key, `${context}\u0000${value}`)}`;
}

/**
 * Every hash `value` could be stored under, one per key id in `kids` still configured.
 * @example
 * const candidates = await keyedHashCandidates(env, context, code, stored.map((h) => h.split(":")[0]));
 */
export async function keyedHashCandidates(env: Env, context: string, value: string, kids: Iterable<string>): Promise<string[]> {
  const hashes: string[] = [];
  for (const kid of new Set(kids)) {
    const key = await keyById(env, "code-hash", kid);
    if (key) hashes.push(`${kid}:${await hmacHex(key, `${context}\u0000${value}`)}`);
  }
  return hashes;
}

async function hmacHex(key: CryptoKey, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message));
  return hex(mac);
}
