/**
 * @module
 * What the browser is asked: the JSON the hosted page passes to
 * `PublicKeyCredential.parseCreationOptionsFromJSON` (enrolment) and
 * `parseRequestOptionsFromJSON` (verification), built from the policy's `factors.webauthn`.
 * All binary values are base64url, as those functions expect.
 */
import type { WebAuthnSettings } from "../config/policy-schema";
import { base64url } from "../lib/encoding";
import { rpIdAllowed } from "../lib/relying-party-id";
import { COSE_ALGORITHM } from "./webauthn-keys";

/** A credential the user already has, as the options name it (`excludeCredentials`, `allowCredentials`). */
export interface CredentialDescriptor {
  /** The credential id, base64url. */
  id: string;
  transports: readonly string[];
}

interface DescriptorJSON {
  type: "public-key";
  id: string;
  transports?: string[];
}

export interface CreationOptionsJSON {
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  challenge: string;
  pubKeyCredParams: Array<{ type: "public-key"; alg: number }>;
  timeout: number;
  excludeCredentials: DescriptorJSON[];
  authenticatorSelection: {
    authenticatorAttachment?: "platform" | "cross-platform";
    residentKey: WebAuthnSettings["residentKey"];
    requireResidentKey: boolean;
    userVerification: WebAuthnSettings["userVerification"];
  };
  attestation: "none";
  extensions: { credProps: true };
}

export interface RequestOptionsJSON {
  challenge: string;
  timeout: number;
  rpId: string;
  allowCredentials: DescriptorJSON[];
  userVerification: WebAuthnSettings["userVerification"];
}

/**
 * The relying party ID for a page served on `host`: the policy's `rpId` when it is the host or
 * a registrable parent of it, the host's name when the policy names none; null when the
 * policy's `rpId` does not cover this host (the browser would refuse it).
 * @example
 * relyingPartyId({ rpId: "acme.com", … }, "portal.acme.com") // "acme.com"
 * relyingPartyId({ … }, "portal.acme.com:8443")               // "portal.acme.com"
 */
export function relyingPartyId(settings: Pick<WebAuthnSettings, "rpId">, host: string): string | null {
  const rpId = settings.rpId ?? host.toLowerCase().replace(/:\d+$/, "");
  return rpIdAllowed(rpId, host) ? rpId : null;
}

/**
 * Options for enrolling a passkey. `user.id` is the opaque user handle the authenticator stores
 * (at most 64 bytes, no personal data: WebAuthn §14.6.1); `exclude` lists the user's existing
 * credentials so the same authenticator is not enrolled twice.
 * @example
 * creationOptions(policy.factors.webauthn, { rpId, rpName: "Demo Brokerage", user: { id: handle, name: "alice@demo.test", displayName: "Alice" }, challenge, timeoutMs: 300_000, exclude: [] })
 */
export function creationOptions(
  settings: WebAuthnSettings,
  ceremony: {
    rpId: string;
    rpName: string;
    user: { id: Uint8Array; name: string; displayName: string };
    challenge: Uint8Array;
    timeoutMs: number;
    exclude: readonly CredentialDescriptor[];
  },
): CreationOptionsJSON {
  const { authenticatorAttachment, residentKey, userVerification } = settings;
  return {
    rp: { id: ceremony.rpId, name: ceremony.rpName },
    user: { id: base64url(ceremony.user.id), name: ceremony.user.name, displayName: ceremony.user.displayName },
    challenge: base64url(ceremony.challenge),
    pubKeyCredParams: settings.algorithms.map((algorithm) => ({ type: "public-key", alg: COSE_ALGORITHM[algorithm] })),
    timeout: ceremony.timeoutMs,
    excludeCredentials: ceremony.exclude.map(descriptor),
    authenticatorSelection: {
      ...(authenticatorAttachment === "any" ? {} : { authenticatorAttachment }),
      residentKey,
      requireResidentKey: residentKey === "required",
      userVerification,
    },
    attestation: settings.attestation,
    extensions: { credProps: true },
  };
}

/**
 * Options for an assertion: `allow` lists the user's credentials (stepgate always knows who is
 * verifying, so no discoverable-credential lookup is needed), `challenge` is
 * `bindingChallenge()`'s value for the stepgate challenge.
 * @example
 * requestOptions(policy.factors.webauthn, { rpId, challenge, timeoutMs: 300_000, allow: credentials })
 */
export function requestOptions(
  settings: Pick<WebAuthnSettings, "userVerification">,
  ceremony: { rpId: string; challenge: Uint8Array; timeoutMs: number; allow: readonly CredentialDescriptor[] },
): RequestOptionsJSON {
  return {
    challenge: base64url(ceremony.challenge),
    timeout: ceremony.timeoutMs,
    rpId: ceremony.rpId,
    allowCredentials: ceremony.allow.map(descriptor),
    userVerification: settings.userVerification,
  };
}

function descriptor(credential: CredentialDescriptor): DescriptorJSON {
  return { type: "public-key", id: credential.id, ...(credential.transports.length ? { transports: [...credential.transports] } : {}) };
}
