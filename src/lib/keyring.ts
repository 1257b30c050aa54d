/**
 * @module
 * stepgate's own keys, from the `STEPGATE_SECRET_KEYS` Worker secret:
 * `kid:base64key[,kid:base64key…]`, newest first. The first key seals and signs; every key
 * listed still opens and verifies, so a key is rotated by putting a new one in front and
 * dropping the old one once what it sealed has expired or been re-sealed.
 *
 * Each purpose gets its own key, derived with HKDF, so a signature made for one purpose (a
 * CSRF token) can never be replayed as another (a grant). Keys of other kinds are derived from
 * the same list the same way (`derivedBytes`: the assurance's ES256 key pairs).
 */
import { fromBase64url } from "./encoding";
import { ProblemError } from "./problem";

export type KeyPurpose = "seal" | "grant" | "csrf" | "code-hash";

interface RawKey {
  kid: string;
  material: CryptoKey;
}

const KEY_ENTRY = /^([A-Za-z0-9_-]{1,16}):([A-Za-z0-9+/_-]{43,}=*)$/;
const parsed = new Map<string, Promise<RawKey[]>>();
const derived = new Map<string, Promise<CryptoKey>>();

/**
 * The key to seal or sign with now.
 * @example
 * const { kid, key } = await currentKey(env, "grant");
 */
export async function currentKey(env: Env, purpose: KeyPurpose): Promise<{ kid: string; key: CryptoKey }> {
  const [newest] = await rawKeys(env);
  return { kid: newest!.kid, key: await derive(newest!, purpose) };
}

/**
 * The key with id `kid`, to open or verify with, or `null` when it is no longer configured.
 * @example
 * const key = await keyById(env, "seal", "k1");
 */
export async function keyById(env: Env, purpose: KeyPurpose, kid: string): Promise<CryptoKey | null> {
  const raw = (await rawKeys(env)).find((key) => key.kid === kid);
  return raw ? derive(raw, purpose) : null;
}

/**
 * `length` bytes derived from each configured key for `info`, newest first: the seed of keys of
 * another kind than this module's own (the ES256 key pairs of `signing-keys.ts`).
 * @example
 * const seeds = await derivedBytes(env, "stepgate/es256/assurance/acme", 48);
 */
export async function derivedBytes(env: Env, info: string, length: number): Promise<Array<{ kid: string; bytes: Uint8Array }>> {
  return Promise.all(
    (await rawKeys(env)).map(async ({ kid, material }) => ({
      kid,
      bytes: new Uint8Array(await crypto.subtle.deriveBits(hkdfParams(info), material, length * 8)),
    })),
  );
}

function hkdfParams(info: string): SubtleCryptoDeriveKeyAlgorithm {
  return { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: new TextEncoder().encode(info) };
}

function rawKeys(env: Env): Promise<RawKey[]> {
  const secret = env.STEPGATE_SECRET_KEYS ?? "";
  let keys = parsed.get(secret);
  if (!keys) {
    keys = parseKeys(secret);
    parsed.set(secret, keys);
  }
  return keys;
}

async function parseKeys(secret: string): Promise<RawKey[]> {
  const entries = secret
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const keys = entries.map((entry) => KEY_ENTRY.exec(entry));
  if (keys.length === 0 || keys.some((match) => match === null)) {
    throw new ProblemError(503, "keys_misconfigured", "STEPGATE_SECRET_KEYS must be kid:base64key[,kid:base64key…] with 32-byte keys.");
  }
  return Promise.all(
    keys.map(async (match) => {
      const bytes = fromBase64url(match![2]!);
      if (bytes.length < 32) throw new ProblemError(503, "keys_misconfigured", `Key ${match![1]} is shorter than 32 bytes.`);
      return { kid: match![1]!, material: await crypto.subtle.importKey("raw", bytes, "HKDF", false, ["deriveKey", "deriveBits"]) };
    }),
  );
}

function derive(raw: RawKey, purpose: KeyPurpose): Promise<CryptoKey> {
  const cacheKey = `${raw.kid}\u0000${purpose}`;
  let key = derived.get(cacheKey);
  if (!key) {
    const algorithm = purpose === "seal" ? { name: "AES-GCM", length: 256 } : { name: "HMAC", hash: "SHA-256", length: 256 };
    const usages: string[] = purpose === "seal" ? ["encrypt", "decrypt"] : ["sign", "verify"];
    key = crypto.subtle.deriveKey(hkdfParams(`stepgate/${purpose}`), raw.material, algorithm, false, usages);
    derived.set(cacheKey, key);
  }
  return key;
}
