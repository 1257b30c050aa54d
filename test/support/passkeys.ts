/**
 * @module
 * Builders for the passkey tests of the user's Durable Object: a user (in a real tenant), a
 * passkey enrolled with the software authenticator, a challenge opened for a withdrawal, and
 * an assertion made for it — all through the object's RPC methods.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { PolicySchema } from "../../src/config/policy-schema";
import { type AuditEntry, userState, type UserState, type VerifyOutcome, type WebAuthnConfirmOutcome } from "../../src/state/user";
import { fromBase64url } from "../../src/lib/encoding";
import { aPolicy, aTenant, send } from "./builders";
import { postJson, sessionHeaders } from "./step-up";
import { SoftwareCredential } from "./software-authenticator";

export const PAGE_ORIGIN = "https://portal.acme.test";
export const RP_ID = "portal.acme.test";
export const CEREMONY = { origin: PAGE_ORIGIN, rpId: RP_ID };
export const ORIGIN = { ip: "203.0.113.9", userAgent: null, city: null, country: null };

const parsed = PolicySchema.parse(aPolicy({ factors: { webauthn: { enabled: true } } }));
export const WEBAUTHN = parsed.factors.webauthn;
export const LOCKOUT = parsed.lockout;

export type User = DurableObjectStub<UserState>;

/** A user of a fresh tenant whose policy allows passkeys. */
export async function aPasskeyUser(userId = "alice"): Promise<User> {
  const { tenantId } = await aTenant(aPolicy({ factors: { webauthn: { enabled: true } } }));
  return userState(env, tenantId, userId);
}

/** Begins an enrolment in `sessionId` and confirms it with `credential`'s registration (or `response`). */
export async function enrol(
  user: User,
  sessionId: string,
  credential: SoftwareCredential,
  options: { origin?: string; challengeId?: string | null } = {},
): Promise<WebAuthnConfirmOutcome> {
  const started = await user.beginWebAuthnEnrollment({ sessionId });
  if (!started.ok) return started;
  const response = await credential.register({ challenge: started.challenge, origin: options.origin ?? PAGE_ORIGIN, rpId: RP_ID });
  return confirm(user, sessionId, started.enrollmentId, response, options.challengeId ?? null);
}

export function confirm(user: User, sessionId: string, enrollmentId: string, response: unknown, challengeId: string | null = null) {
  return user.confirmWebAuthnEnrollment({
    enrollmentId,
    response,
    ceremony: CEREMONY,
    settings: WEBAUTHN,
    name: null,
    sessionId,
    challengeId,
    backupCodeCount: 10,
    origin: ORIGIN,
  });
}

/** A user with one enrolled passkey (in session `s0`, which that made fresh). */
export async function anEnrolledUser(options: { counting?: boolean } = {}): Promise<{ user: User; passkey: SoftwareCredential }> {
  const user = await aPasskeyUser();
  const passkey = await SoftwareCredential.create("ES256", { counting: options.counting ?? true });
  const enrolled = await enrol(user, "s0", passkey);
  expect(enrolled.ok).toBe(true);
  return { user, passkey };
}

/** Opens a step-up challenge in `sessionId`, for a withdrawal whose request digest is `digest`. */
export async function aChallenge(user: User, sessionId: string, digest: string | null = null, operation = "withdraw"): Promise<string> {
  const opened = await user.openChallenge({ kind: "step_up", operation, sessionId, returnTo: null, digest });
  return opened.id;
}

/** The challenge the object's request options carry for `challengeId`. */
export async function requestChallenge(user: User, challengeId: string, sessionId: string): Promise<Uint8Array> {
  const request = await user.webAuthnRequest(challengeId, sessionId);
  if (!request.ok) throw new Error(`no request options: ${request.error}`);
  return request.challenge;
}

/** Presents `response` as the answer to `challengeId`. */
export function answer(user: User, challengeId: string, sessionId: string, response: unknown): Promise<VerifyOutcome> {
  return user.answerWithWebAuthn({ challengeId, sessionId, response, ceremony: CEREMONY, settings: { webauthn: WEBAUTHN, lockout: LOCKOUT }, origin: ORIGIN });
}

/** Makes an assertion for the challenge the object asks for, and presents it. */
export async function answerWithPasskey(user: User, passkey: SoftwareCredential, challengeId: string, sessionId: string): Promise<VerifyOutcome> {
  const challenge = await requestChallenge(user, challengeId, sessionId);
  return answer(user, challengeId, sessionId, await passkey.assert({ challenge, origin: PAGE_ORIGIN, rpId: RP_ID }));
}

/** The types of the user's audit entries with their detail, oldest first. */
export async function auditTrail(user: User): Promise<Array<{ type: string; detail: Record<string, unknown> }>> {
  // `detail` is `unknown`-valued, which RPC's types cannot describe: the entries are as `audit` returns them.
  const entries = (await user.audit(100, null)) as unknown as AuditEntry[];
  return entries.reverse().map((entry) => ({ type: entry.type, detail: entry.detail }));
}

/** Enrols `credential` through the user API (`POST /enroll/webauthn`, then `/confirm`), made on the tenant's own origin. */
export async function enrollPasskeyViaApi(
  base: string,
  token: string,
  credential: SoftwareCredential,
  extra: { challengeId?: string; name?: string } = {},
): Promise<{ backupCodes: string[]; grant?: string; factorId: string; name: string | null }> {
  const started = await postJson(`${base}/__stepgate/api/enroll/webauthn`, token, {});
  expect(started.status).toBe(201);
  const { enrollmentId, publicKey } = await started.json<{ enrollmentId: string; publicKey: { challenge: string; rp: { id: string } } }>();
  const response = await credential.register({ challenge: fromBase64url(publicKey.challenge), origin: base, rpId: publicKey.rp.id });
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/webauthn/confirm`, token, { enrollmentId, response, ...extra });
  expect(confirmed.status).toBe(200);
  return confirmed.json();
}

/** The request options the user API gives for answering `challengeId` with a passkey. */
export async function passkeyOptions(
  base: string,
  token: string,
  challengeId: string,
): Promise<{ challenge: string; rpId: string; allowCredentials: Array<{ id: string }> }> {
  const options = await send(`${base}/__stepgate/api/challenges/${challengeId}/webauthn`, { headers: sessionHeaders(token) });
  expect(options.status).toBe(200);
  return (await options.json<{ publicKey: { challenge: string; rpId: string; allowCredentials: Array<{ id: string }> } }>()).publicKey;
}

/** Answers `challengeId` through the user API with `credential`, asserting over the options it was given (or `ceremony`'s changes). */
export async function verifyWithPasskey(
  base: string,
  token: string,
  challengeId: string,
  credential: SoftwareCredential,
  ceremony: { origin?: string; rpId?: string; challenge?: Uint8Array; userVerified?: boolean } = {},
): Promise<Response> {
  const options = await passkeyOptions(base, token, challengeId);
  const response = await credential.assert({
    challenge: ceremony.challenge ?? fromBase64url(options.challenge),
    origin: ceremony.origin ?? base,
    rpId: ceremony.rpId ?? options.rpId,
    userVerified: ceremony.userVerified,
  });
  return postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "webauthn", response });
}
