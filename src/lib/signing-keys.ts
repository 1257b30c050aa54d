/**
 * @module
 * ES256 (ECDSA P-256) key pairs for tokens that others verify with a public key: one per key in
 * `STEPGATE_SECRET_KEYS` and per scope (a tenant's assurance), derived, never stored.
 *
 * Why derived: the private scalar is HKDF of the configured key, so every isolate of every
 * deployment computes the same key pair with no storage, no generation race between isolates and
 * no second secret to guard; a tenant's keys are apart from every other tenant's (the scope is in
 * HKDF's info); and rotation is the keyring's own — the newest key signs, every key listed is
 * still published for verifying, a key dropped from the list is gone. Stored key pairs (sealed in
 * the tenant's object) would add a Durable Object read to an isolate's first request, and a
 * rotation of their own; they would protect nothing the secret does not already unlock.
 */
import { calculateJwkThumbprint } from "jose";
import { derivedBytes } from "./keyring";

/** A public key as a JWKS lists it. */
export interface PublicJwk {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  kid: string;
  alg: "ES256";
  use: "sig";
}

export interface SigningKey {
  /** The key's RFC 7638 thumbprint: a new key in `STEPGATE_SECRET_KEYS` can never be mistaken for an old one in a verifier's cache. */
  kid: string;
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
}

/** The order n of P-256's base point (SEC 2, FIPS 186-5). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/**
 * Bytes of HKDF output per scalar: 64 bits more than n has, so reducing them modulo n − 1 leaves a
 * bias below 2^-64 (FIPS 186-5 A.2.1, "extra random bits").
 */
const SEED_BYTES = 40;
/**
 * A PKCS #8 PrivateKeyInfo for an EC P-256 key, up to its 32-byte private scalar: version 0,
 * algorithm id-ecPublicKey with prime256v1, and an ECPrivateKey (RFC 5915) without its optional
 * public key, which the import computes.
 */
const PKCS8_P256_PREFIX = Uint8Array.from([
  0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
  0x04, 0x27, 0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20,
]);
const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" };
/** Scopes whose keys an isolate keeps (a key pair is a few hundred bytes); the oldest go first. */
const MAX_SCOPES = 1_000;

const kept = new Map<string, Promise<SigningKey[]>>();

/**
 * The key pairs of `scope`, newest first: the first signs, all of them are published.
 * Derived once per isolate and scope.
 * @example
 * const [current] = await signingKeys(env, "assurance/acme");
 */
export function signingKeys(env: Env, scope: string): Promise<SigningKey[]> {
  const cacheKey = `${env.STEPGATE_SECRET_KEYS ?? ""}\u0000${scope}`;
  let keys = kept.get(cacheKey);
  if (!keys) {
    keys = deriveKeys(env, scope);
    if (kept.size >= MAX_SCOPES) kept.delete(kept.keys().next().value!);
    kept.set(cacheKey, keys);
  }
  return keys;
}

async function deriveKeys(env: Env, scope: string): Promise<SigningKey[]> {
  const seeds = await derivedBytes(env, `stepgate/es256/${scope}`, SEED_BYTES);
  return Promise.all(seeds.map(({ bytes }) => keyPair(privateScalar(bytes))));
}

/** A private scalar in [1, n − 1] from uniformly random bytes, 32 bytes big-endian. */
function privateScalar(seed: Uint8Array): Uint8Array {
  let value = 0n;
  for (const byte of seed) value = (value << 8n) | BigInt(byte);
  let scalar = (value % (P256_ORDER - 1n)) + 1n;
  const bytes = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    bytes[i] = Number(scalar & 0xffn);
    scalar >>= 8n;
  }
  return bytes;
}

async function keyPair(scalar: Uint8Array): Promise<SigningKey> {
  const pkcs8 = new Uint8Array(PKCS8_P256_PREFIX.length + scalar.length);
  pkcs8.set(PKCS8_P256_PREFIX);
  pkcs8.set(scalar, PKCS8_P256_PREFIX.length);
  // Imported once to learn the public point, then again as a key that cannot be exported.
  const extractable = await crypto.subtle.importKey("pkcs8", pkcs8, ECDSA_P256, true, ["sign"]);
  const { x, y, d } = (await crypto.subtle.exportKey("jwk", extractable)) as JsonWebKey;
  const privateKey = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x, y, d }, ECDSA_P256, false, ["sign"]);
  const kid = await calculateJwkThumbprint({ kty: "EC", crv: "P-256", x: x!, y: y! }, "sha256");
  return { kid, privateKey, publicJwk: { kty: "EC", crv: "P-256", x: x!, y: y!, kid, alg: "ES256", use: "sig" } };
}
