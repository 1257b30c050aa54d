/**
 * @module
 * Verifying what the browser sends back: a new credential (`navigator.credentials.create`) and
 * an assertion (`navigator.credentials.get`), each as `credential.toJSON()` gives it.
 * `@oslojs/webauthn` parses the client data and authenticator data; every check — type,
 * challenge, origin, RP ID hash, user presence and verification, signature, counter — is made
 * here, in the order WebAuthn §7.1 and §7.2 give, and a refusal names the check that failed.
 */
import { decodeCBORToNativeValueNoLeftoverBytes } from "@oslojs/cbor";
import { ClientDataType, createAssertionSignatureMessage, parseAuthenticatorData, parseClientDataJSON } from "@oslojs/webauthn";
import * as z from "zod";
import type { WebAuthnSettings } from "../config/policy-schema";
import { base64url, fromBase64url } from "../lib/encoding";
import { importable, type StoredPublicKey, storedPublicKey, verifySignature, type WebAuthnAlgorithm } from "./webauthn-keys";

export type { StoredPublicKey, WebAuthnAlgorithm } from "./webauthn-keys";

const Base64url = (maxLength: number) =>
  z
    .string()
    .regex(/^[\w-]*$/, "base64url")
    .min(1)
    .max(maxLength);
/** The transports WebAuthn names; anything else a browser reports is dropped. */
const TRANSPORTS = new Set(["usb", "nfc", "ble", "smart-card", "hybrid", "internal"]);

/** `RegistrationResponseJSON`: what `credential.toJSON()` gives after `create()`; unknown fields are ignored. */
export const RegistrationResponseSchema = z.object({
  id: Base64url(1366),
  rawId: Base64url(1366),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: Base64url(4096),
    attestationObject: Base64url(65_536),
    transports: z.array(z.string().max(32)).max(8).optional(),
  }),
});

/** `AuthenticationResponseJSON`: what `credential.toJSON()` gives after `get()`; unknown fields are ignored. */
export const AssertionResponseSchema = z.object({
  id: Base64url(1366),
  rawId: Base64url(1366),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: Base64url(4096),
    authenticatorData: Base64url(4096),
    signature: Base64url(1024),
    userHandle: Base64url(128).nullish(),
  }),
});

/** Why a response was refused; each names one check. */
export type WebAuthnRefusal =
  | "malformed"
  | "unknown_credential"
  | "wrong_type"
  | "wrong_challenge"
  | "wrong_origin"
  | "wrong_rp"
  | "user_presence_missing"
  | "user_verification_missing"
  | "unknown_algorithm"
  | "bad_signature"
  | "counter_regressed"
  | "backup_eligibility_changed";

export type Verdict<T> = ({ ok: true } & T) | { ok: false; reason: WebAuthnRefusal };

/** What every ceremony is checked against. `origin` is the hosted page's origin (`https://portal.acme.com`). */
export interface Expected {
  challenge: Uint8Array;
  origin: string;
  rpId: string;
  userVerification: WebAuthnSettings["userVerification"];
}

/** A verified new credential, as stepgate stores it. */
export interface NewCredential {
  /** The credential id, base64url: what `allowCredentials` and the assertion's `id` carry. */
  credentialId: string;
  publicKey: StoredPublicKey;
  algorithm: WebAuthnAlgorithm;
  counter: number;
  /** The authenticator model (`8-4-4-4-12`), unattested: good for a name, not for trust. */
  aaguid: string;
  /** May be synced to other devices (a multi-device passkey); fixed for the credential's life. */
  backupEligible: boolean;
  /** Is synced now. */
  backedUp: boolean;
  transports: string[];
}

/**
 * Checks a new credential. The attestation statement is not checked and not required to be
 * `none`: stepgate asks for none (`factors.webauthn.attestation`), and a statement a browser
 * passes on anyway would need the FIDO metadata service to mean anything — so every credential
 * is taken as unattested, which is what a synced passkey is in any case.
 * @example
 * const verdict = await verifyRegistration(body.response, { challenge, origin, rpId, userVerification: "required", algorithms: ["ES256", "EdDSA"] });
 * if (!verdict.ok) return refuse(verdict.reason);
 */
export async function verifyRegistration(
  response: unknown,
  expected: Expected & { algorithms: readonly WebAuthnAlgorithm[] },
): Promise<Verdict<{ credential: NewCredential }>> {
  const parsed = RegistrationResponseSchema.safeParse(response);
  if (!parsed.success || parsed.data.id !== parsed.data.rawId) return refused("malformed");
  const { clientDataJSON, attestationObject, transports = [] } = parsed.data.response;
  const authData = decode(() => authenticatorDataOf(fromBase64url(attestationObject)));
  const decoded =
    authData && decode(() => ({ client: parseClientDataJSON(fromBase64url(clientDataJSON)), authenticatorData: parseAuthenticatorData(authData) }));
  if (!authData || !decoded) return refused("malformed");
  const { authenticatorData } = decoded;
  const clientCheck = checkClientData(decoded.client, ClientDataType.Create, expected);
  if (clientCheck) return refused(clientCheck);
  const flagCheck = checkAuthenticatorData(authenticatorData, expected) ?? checkBackupFlags(authData, null);
  if (flagCheck) return refused(flagCheck);
  const credential = authenticatorData.credential;
  if (!credential || base64url(credential.id) !== parsed.data.rawId) return refused("malformed");
  const publicKey = decode(() => storedPublicKey(credential.publicKey));
  if (!publicKey || !expected.algorithms.includes(publicKey.algorithm) || !(await importable(publicKey))) return refused("unknown_algorithm");
  return {
    ok: true,
    credential: {
      credentialId: parsed.data.rawId,
      publicKey,
      algorithm: publicKey.algorithm,
      counter: unsignedCounter(authenticatorData),
      aaguid: uuid(credential.authenticatorAAGUID),
      ...backupFlags(authData),
      transports: [...new Set(transports.filter((transport) => TRANSPORTS.has(transport)))],
    },
  };
}

/** The stored credential an assertion is checked against. */
export interface KnownCredential {
  credentialId: string;
  publicKey: StoredPublicKey;
  counter: number;
  /** Whether it was backup-eligible when registered: fixed for the credential's life. */
  backupEligible: boolean;
}

/**
 * Checks an assertion made with `credential`. The counter rule (WebAuthn §7.2 step 22): when
 * either the stored or the new counter is non-zero, the new one must be greater — otherwise two
 * copies of the key exist (a cloned authenticator) and the assertion is refused. Authenticators
 * that keep no counter send 0 every time and are accepted.
 * @example
 * const verdict = await verifyAssertion(body.response, { challenge, origin, rpId, userVerification: "required", credential });
 * if (verdict.ok) await saveCounter(credential.credentialId, verdict.newCounter);
 */
export async function verifyAssertion(
  response: unknown,
  expected: Expected & { credential: KnownCredential },
): Promise<Verdict<{ newCounter: number; userVerified: boolean; backedUp: boolean }>> {
  const parsed = AssertionResponseSchema.safeParse(response);
  if (!parsed.success || parsed.data.id !== parsed.data.rawId) return refused("malformed");
  if (parsed.data.rawId !== expected.credential.credentialId) return refused("unknown_credential");
  const raw = decode(() => ({
    clientDataJSON: fromBase64url(parsed.data.response.clientDataJSON),
    authenticatorData: fromBase64url(parsed.data.response.authenticatorData),
    signature: fromBase64url(parsed.data.response.signature),
  }));
  const decoded = raw && decode(() => ({ client: parseClientDataJSON(raw.clientDataJSON), authenticatorData: parseAuthenticatorData(raw.authenticatorData) }));
  if (!raw || !decoded) return refused("malformed");
  const clientCheck = checkClientData(decoded.client, ClientDataType.Get, expected);
  if (clientCheck) return refused(clientCheck);
  const flagCheck = checkAuthenticatorData(decoded.authenticatorData, expected) ?? checkBackupFlags(raw.authenticatorData, expected.credential);
  if (flagCheck) return refused(flagCheck);
  const message = createAssertionSignatureMessage(raw.authenticatorData, raw.clientDataJSON);
  if (!(await verifySignature(expected.credential.publicKey, raw.signature, message))) return refused("bad_signature");
  const newCounter = unsignedCounter(decoded.authenticatorData);
  const stored = expected.credential.counter;
  if ((newCounter !== 0 || stored !== 0) && newCounter <= stored) return refused("counter_regressed");
  const { backedUp } = backupFlags(raw.authenticatorData);
  return { ok: true, newCounter, userVerified: decoded.authenticatorData.userVerified, backedUp };
}

type ClientData = ReturnType<typeof parseClientDataJSON>;
type AuthenticatorData = ReturnType<typeof parseAuthenticatorData>;

function checkClientData(client: ClientData, type: ClientDataType, expected: Expected): WebAuthnRefusal | null {
  if (client.type !== type) return "wrong_type";
  if (!sameBytes(client.challenge, expected.challenge)) return "wrong_challenge";
  // stepgate's pages are framed only by the portal's own pages (frame-ancestors 'self': the SPA
  // client's dialog), so a ceremony in a cross-origin frame is someone else's.
  if (client.origin !== expected.origin || client.crossOrigin) return "wrong_origin";
  return null;
}

function checkAuthenticatorData(data: AuthenticatorData, expected: Expected): WebAuthnRefusal | null {
  if (!data.verifyRelyingPartyIdHash(expected.rpId)) return "wrong_rp";
  if (!data.userPresent) return "user_presence_missing";
  if (expected.userVerification === "required" && !data.userVerified) return "user_verification_missing";
  return null;
}

/**
 * The backup flags (WebAuthn §7.1 step 17, §7.2 steps 18–19): BS (synced) without BE (may be
 * synced) is malformed, and a credential's BE never changes — stepgate names and shows passkeys
 * by it, so a credential that changes it is not the one registered.
 */
function checkBackupFlags(authenticatorData: Uint8Array, known: Pick<KnownCredential, "backupEligible"> | null): WebAuthnRefusal | null {
  const { backupEligible, backedUp } = backupFlags(authenticatorData);
  if (backedUp && !backupEligible) return "malformed";
  if (known && known.backupEligible !== backupEligible) return "backup_eligibility_changed";
  return null;
}

/**
 * The signature counter, an unsigned 32-bit number. The parser builds it with `|`, which gives
 * a negative number from 2^31 on: a counter of 0x80000001 would read as -2147483647, and 0 (a
 * clone resetting it) would then look like a step forward.
 */
function unsignedCounter(data: AuthenticatorData): number {
  return data.signatureCounter >>> 0;
}

/** The authenticator data inside an attestation object (`{ fmt, attStmt, authData }`, CBOR); the statement is not read. */
function authenticatorDataOf(attestationObject: Uint8Array): Uint8Array {
  const decoded = decodeCBORToNativeValueNoLeftoverBytes(attestationObject, 4);
  const authData = decoded && typeof decoded === "object" && "authData" in decoded ? decoded.authData : null;
  if (!(authData instanceof Uint8Array)) throw new TypeError("an attestation object without authData");
  return authData;
}

/** The backup flags (BE, BS: WebAuthn §6.1), which the parser does not expose; byte 32 is the flags byte. */
function backupFlags(authenticatorData: Uint8Array): { backupEligible: boolean; backedUp: boolean } {
  const flags = authenticatorData[32] ?? 0;
  return { backupEligible: (flags & 0x08) !== 0, backedUp: (flags & 0x10) !== 0 };
}

function decode<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    // A parse error from base64 or the parsers means the client sent something malformed; the caller refuses it.
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function uuid(bytes: Uint8Array): string {
  const hexDigits = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hexDigits.slice(0, 8)}-${hexDigits.slice(8, 12)}-${hexDigits.slice(12, 16)}-${hexDigits.slice(16, 20)}-${hexDigits.slice(20)}`;
}

function refused(reason: WebAuthnRefusal): { ok: false; reason: WebAuthnRefusal } {
  return { ok: false, reason };
}
