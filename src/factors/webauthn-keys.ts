/**
 * @module
 * Passkey public keys: a COSE key from an authenticator turned into the JWK stepgate stores,
 * and an assertion signature checked against it with WebCrypto. `@oslojs/webauthn` only parses;
 * every cryptographic check is here, on the platform's own implementation.
 */
import { COSEKeyType, coseAlgorithmEdDSA, coseAlgorithmES256, coseAlgorithmRS256, coseEllipticCurveEd25519, coseEllipticCurveP256 } from "@oslojs/webauthn";
import type { COSEPublicKey } from "@oslojs/webauthn";
import type { WEBAUTHN_ALGORITHMS } from "../config/factor-settings";
import { base64url, fromBase64url } from "../lib/encoding";

export type WebAuthnAlgorithm = (typeof WEBAUTHN_ALGORITHMS)[number];

/** The COSE algorithm identifier of each name (RFC 9053, IANA COSE registry). */
export const COSE_ALGORITHM: Record<WebAuthnAlgorithm, number> = { ES256: coseAlgorithmES256, EdDSA: coseAlgorithmEdDSA, RS256: coseAlgorithmRS256 };

/** A public key as stored: its algorithm and the JWK WebCrypto imports. */
export interface StoredPublicKey {
  algorithm: WebAuthnAlgorithm;
  jwk: JsonWebKey;
}

const P256_COORDINATE_BYTES = 32;
/** The least RSA modulus taken: 2048 bits, the size COSE's RS256 keys come in. */
const RSA_MIN_MODULUS_BITS = 2048;

/**
 * The encodings of the Ed25519 points of small order (1, 2, 4, 8), sign bit cleared: libsodium's
 * list, non-canonical spellings (y ≥ p) included. Under such a public key a signature with
 * R = identity and S = 0 verifies for one message in eight or more, no private key needed —
 * and WebCrypto's Ed25519 does not refuse them.
 */
const ED25519_SMALL_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/**
 * The JWK of a COSE public key, or null when its algorithm is not one stepgate verifies or its
 * parameters do not belong to that algorithm (an ES256 key on another curve, say).
 * @example
 * const stored = storedPublicKey(authenticatorData.credential.publicKey); // { algorithm: "ES256", jwk: { kty: "EC", … } }
 */
export function storedPublicKey(key: COSEPublicKey): StoredPublicKey | null {
  if (!key.isAlgorithmDefined()) return null;
  const algorithm = key.algorithm();
  const type = key.type();
  if (algorithm === coseAlgorithmES256 && type === COSEKeyType.EC2) {
    const { curve, x, y } = key.ec2();
    if (curve !== coseEllipticCurveP256) return null;
    const jwk = { kty: "EC", crv: "P-256", x: base64url(unsigned(x, P256_COORDINATE_BYTES)), y: base64url(unsigned(y, P256_COORDINATE_BYTES)) };
    return { algorithm: "ES256", jwk };
  }
  if (algorithm === coseAlgorithmEdDSA && type === COSEKeyType.OKP) {
    const { curve, x } = key.okp();
    if (curve !== coseEllipticCurveEd25519 || x.length !== 32 || hasSmallOrder(x)) return null;
    return { algorithm: "EdDSA", jwk: { kty: "OKP", crv: "Ed25519", x: base64url(x) } };
  }
  if (algorithm === coseAlgorithmRS256 && type === COSEKeyType.RSA) {
    const { n, e } = key.rsa();
    // COSE sends the modulus as 256 bytes, so a short one arrives zero-padded; WebCrypto imports 512 bits.
    if (n.toString(2).length < RSA_MIN_MODULUS_BITS) return null;
    return { algorithm: "RS256", jwk: { kty: "RSA", n: base64url(unsigned(n)), e: base64url(unsigned(e)) } };
  }
  return null;
}

/**
 * Whether `signature` over `message` verifies under the stored key. A key WebCrypto refuses to
 * import, or an ES256 signature that is not well-formed DER, is a failed signature, not an error.
 * @example
 * await verifySignature(credential.publicKey, signature, createAssertionSignatureMessage(authenticatorData, clientDataJSON))
 */
export async function verifySignature(key: StoredPublicKey, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  const params = VERIFY_PARAMS[key.algorithm];
  // Also for a key stored before enrolment refused them: under it anybody's signature verifies.
  if (key.algorithm === "EdDSA" && hasSmallOrder(fromBase64url(key.jwk.x ?? ""))) return false;
  let cryptoKey: CryptoKey;
  try {
    cryptoKey = await crypto.subtle.importKey("jwk", key.jwk, params.importAs, false, ["verify"]);
  } catch {
    return false;
  }
  // WebAuthn carries ECDSA signatures DER-encoded (WebAuthn §6.5.5); WebCrypto verifies r‖s.
  const raw = key.algorithm === "ES256" ? ecdsaDerToRaw(signature, P256_COORDINATE_BYTES) : signature;
  if (!raw) return false;
  return crypto.subtle.verify(params.verifyWith, cryptoKey, raw, message);
}

/**
 * Whether WebCrypto takes the key (an EC point on the curve, a well-formed RSA modulus): checked
 * at enrolment so a key that could never verify is refused then, not at every later use.
 */
export async function importable(key: StoredPublicKey): Promise<boolean> {
  return crypto.subtle.importKey("jwk", key.jwk, VERIFY_PARAMS[key.algorithm].importAs, false, ["verify"]).then(
    () => true,
    () => false,
  );
}

const VERIFY_PARAMS: Record<WebAuthnAlgorithm, { importAs: SubtleCryptoImportKeyAlgorithm; verifyWith: SubtleCryptoSignAlgorithm }> = {
  ES256: { importAs: { name: "ECDSA", namedCurve: "P-256" }, verifyWith: { name: "ECDSA", hash: "SHA-256" } },
  EdDSA: { importAs: { name: "Ed25519" }, verifyWith: { name: "Ed25519" } },
  RS256: { importAs: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verifyWith: { name: "RSASSA-PKCS1-v1_5" } },
};

/**
 * `SEQUENCE { INTEGER r, INTEGER s }` → r‖s, each left-padded to `size` bytes; null when the
 * DER is anything but exactly that (short definite lengths only, as a P-256 signature needs).
 */
function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const raw = new Uint8Array(size * 2);
  let offset = 2;
  for (const half of [0, 1]) {
    if (der[offset] !== 0x02) return null;
    const length = der[offset + 1]!;
    const start = offset + 2;
    if (length === 0 || start + length > der.length) return null;
    let integer = der.subarray(start, start + length);
    while (integer.length > 1 && integer[0] === 0) integer = integer.subarray(1);
    if (integer.length > size) return null;
    raw.set(integer, size * (half + 1) - integer.length);
    offset = start + length;
  }
  return offset === der.length ? raw : null;
}

/** Whether a 32-byte Ed25519 public key is a point of small order (any sign bit). */
function hasSmallOrder(x: Uint8Array): boolean {
  const hexDigits = [...x].map((byte, i) => (i === 31 ? byte & 0x7f : byte).toString(16).padStart(2, "0")).join("");
  return ED25519_SMALL_ORDER.includes(hexDigits);
}

/** A non-negative bigint as big-endian bytes, left-padded to `size` when given. */
function unsigned(value: bigint, size = 0): Uint8Array {
  let hexDigits = value.toString(16);
  if (hexDigits.length % 2) hexDigits = `0${hexDigits}`;
  const bytes = Uint8Array.from(hexDigits.match(/../g)!, (pair) => Number.parseInt(pair, 16));
  if (bytes.length >= size) return bytes;
  const padded = new Uint8Array(size);
  padded.set(bytes, size - bytes.length);
  return padded;
}
