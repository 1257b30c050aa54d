/**
 * @module
 * A software WebAuthn authenticator for tests: real key pairs (ES256, EdDSA, RS256) made with
 * WebCrypto, real `none` attestation objects (CBOR) and real assertions — authenticator data
 * with the RP ID hash, flags and counter, signed over the client data hash — shaped as the
 * browser's `credential.toJSON()` gives them. Every field a test wants to get wrong is an option.
 */
import { base64url } from "../../src/lib/encoding";

export type Algorithm = "ES256" | "EdDSA" | "RS256";

export interface Ceremony {
  challenge: Uint8Array;
  origin: string;
  rpId: string;
  /** Sets the UV flag (default true). */
  userVerified?: boolean;
  /** Sets the UP flag (default true). */
  userPresent?: boolean;
  /** `webauthn.create` or `webauthn.get`; defaults to the ceremony's own. */
  type?: string;
  crossOrigin?: boolean;
  /** Malformed objects for the security review's tests; every hook defaults to the honest value. */
  tamper?: Tamper;
}

/** What a test may change in what the authenticator and browser send. */
export interface Tamper {
  /** The flags byte as sent (e.g. `(f) => f | BS`). */
  flags?: (flags: number) => number;
  /** The client data's JSON text as sent (and hashed), from the honest text. */
  clientDataJSON?: (json: string) => string;
  /** The COSE public key the registration carries instead of the real one. */
  coseKey?: Uint8Array;
  /** Bytes appended to the authenticator data (after the COSE key on a registration). */
  authDataTail?: Uint8Array;
  /** The signature as sent, from the honest one (DER for ES256) and the signed message. */
  signature?: (signature: Uint8Array, message: Uint8Array) => Uint8Array | Promise<Uint8Array>;
  /** The attestation object's bytes as sent, from the honest authenticator data. */
  attestationObject?: (authData: Uint8Array) => Uint8Array;
  /** The counter as sent instead of the credential's next one. */
  counter?: number;
  /** `response.userHandle` of an assertion. */
  userHandle?: string;
}

/** The flag bits of the authenticator data (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

const UP = 0x01;
const UV = 0x04;
const BE = 0x08;
const BS = 0x10;
const AT = 0x40;

/**
 * One credential on one authenticator. `counter` is the last signature counter it reported; a
 * counting authenticator adds one before each registration or assertion, a synced passkey (like
 * most) keeps no counter and always reports 0.
 */
export class SoftwareCredential {
  counter = 0;
  private constructor(
    readonly algorithm: Algorithm,
    readonly id: Uint8Array,
    private readonly keys: CryptoKeyPair,
    readonly aaguid: Uint8Array,
    readonly synced: boolean,
    readonly counting: boolean,
  ) {}

  /** A new credential: a fresh key pair and a random 32-byte id; by default a counting, device-bound one. */
  static async create(algorithm: Algorithm, options: { aaguid?: Uint8Array; synced?: boolean; counting?: boolean } = {}): Promise<SoftwareCredential> {
    const keys = (await crypto.subtle.generateKey(GENERATE[algorithm], true, ["sign", "verify"])) as CryptoKeyPair;
    const id = crypto.getRandomValues(new Uint8Array(32));
    return new SoftwareCredential(algorithm, id, keys, options.aaguid ?? new Uint8Array(16), options.synced ?? false, options.counting ?? true);
  }

  get credentialId(): string {
    return base64url(this.id);
  }

  /** What `navigator.credentials.create()` would return, `toJSON()`ed. */
  async register(ceremony: Ceremony, transports: string[] = ["internal", "hybrid"]): Promise<unknown> {
    const clientDataJSON = clientData(ceremony, "webauthn.create");
    const tamper = ceremony.tamper ?? {};
    const attested = concat(this.aaguid, new Uint8Array([this.id.length >> 8, this.id.length & 0xff]), this.id, tamper.coseKey ?? (await this.coseKey()));
    const authData = concat(
      await authenticatorData(ceremony, this.flags(ceremony) | AT, this.nextCounter(tamper)),
      attested,
      tamper.authDataTail ?? new Uint8Array(),
    );
    const attestationObject = tamper.attestationObject
      ? tamper.attestationObject(authData)
      : cbor(
          new Map<unknown, unknown>([
            ["fmt", "none"],
            ["attStmt", new Map()],
            ["authData", authData],
          ]),
        );
    const id = this.credentialId;
    return {
      id,
      rawId: id,
      type: "public-key",
      response: { clientDataJSON: base64url(clientDataJSON), attestationObject: base64url(attestationObject), transports },
    };
  }

  /** What `navigator.credentials.get()` would return, `toJSON()`ed. */
  async assert(ceremony: Ceremony): Promise<{ id: string; rawId: string; type: string; response: Record<string, string> }> {
    const clientDataJSON = clientData(ceremony, "webauthn.get");
    const tamper = ceremony.tamper ?? {};
    const authData = concat(await authenticatorData(ceremony, this.flags(ceremony), this.nextCounter(tamper)), tamper.authDataTail ?? new Uint8Array());
    const message = concat(authData, new Uint8Array(await crypto.subtle.digest("SHA-256", clientDataJSON)));
    const raw = new Uint8Array(await crypto.subtle.sign(SIGN[this.algorithm], this.keys.privateKey, message));
    const honest = this.algorithm === "ES256" ? rawToDer(raw) : raw;
    const signature = tamper.signature ? await tamper.signature(honest, message) : honest;
    const id = this.credentialId;
    return {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: base64url(clientDataJSON),
        authenticatorData: base64url(authData),
        signature: base64url(signature),
        ...(tamper.userHandle ? { userHandle: tamper.userHandle } : {}),
      },
    };
  }

  private nextCounter(tamper: Tamper): number {
    if (tamper.counter !== undefined) return tamper.counter;
    if (this.counting) this.counter++;
    return this.counter;
  }

  private flags(ceremony: Ceremony): number {
    const honest = (ceremony.userPresent === false ? 0 : UP) | (ceremony.userVerified === false ? 0 : UV) | (this.synced ? BE | BS : 0);
    return ceremony.tamper?.flags ? ceremony.tamper.flags(honest) & 0xff : honest;
  }

  /** The private key, for a test that signs something the authenticator would not. */
  get privateKey(): CryptoKey {
    return this.keys.privateKey;
  }

  private async coseKey(): Promise<Uint8Array> {
    const jwk = (await crypto.subtle.exportKey("jwk", this.keys.publicKey)) as JsonWebKey;
    const bytes = (value: string | undefined) => fromB64u(value!);
    if (this.algorithm === "ES256")
      return cbor(
        new Map<unknown, unknown>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, bytes(jwk.x)],
          [-3, bytes(jwk.y)],
        ]),
      );
    if (this.algorithm === "EdDSA")
      return cbor(
        new Map<unknown, unknown>([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, bytes(jwk.x)],
        ]),
      );
    return cbor(
      new Map<unknown, unknown>([
        [1, 3],
        [3, -257],
        [-1, bytes(jwk.n)],
        [-2, bytes(jwk.e)],
      ]),
    );
  }
}

const GENERATE: Record<Algorithm, SubtleCryptoGenerateKeyAlgorithm> = {
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  EdDSA: { name: "Ed25519" },
  RS256: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
};
const SIGN: Record<Algorithm, SubtleCryptoSignAlgorithm> = {
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
  RS256: { name: "RSASSA-PKCS1-v1_5" },
};

function clientData(ceremony: Ceremony, type: string): Uint8Array {
  const data = { type: ceremony.type ?? type, challenge: base64url(ceremony.challenge), origin: ceremony.origin, crossOrigin: ceremony.crossOrigin ?? false };
  const json = JSON.stringify(data);
  return new TextEncoder().encode(ceremony.tamper?.clientDataJSON ? ceremony.tamper.clientDataJSON(json) : json);
}

async function authenticatorData(ceremony: Ceremony, flags: number, counter: number): Promise<Uint8Array> {
  const rpIdHash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ceremony.rpId)));
  return concat(rpIdHash, new Uint8Array([flags, counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff]));
}

/** r‖s → DER `SEQUENCE { INTEGER r, INTEGER s }`, as authenticators send ECDSA signatures. */
function rawToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const value = trimmed[0]! & 0x80 ? concat(new Uint8Array([0]), trimmed) : trimmed;
    return concat(new Uint8Array([0x02, value.length]), value);
  };
  const body = concat(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
  return concat(new Uint8Array([0x30, body.length]), body);
}

/** A minimal CBOR encoder (RFC 8949): integers, byte and text strings, arrays and maps. */
export function cbor(value: unknown): Uint8Array {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value);
    return concat(head(3, bytes.length), bytes);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  if (Array.isArray(value)) return concat(head(4, value.length), ...value.map(cbor));
  if (value instanceof Map) return concat(head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)]));
  throw new TypeError(`cbor: cannot encode ${typeof value}`);
}

function head(major: number, length: number): Uint8Array {
  if (length < 24) return new Uint8Array([(major << 5) | length]);
  if (length < 0x100) return new Uint8Array([(major << 5) | 24, length]);
  if (length < 0x10000) return new Uint8Array([(major << 5) | 25, length >> 8, length & 0xff]);
  return new Uint8Array([(major << 5) | 26, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function fromB64u(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}
