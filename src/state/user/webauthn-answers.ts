/**
 * @module
 * Answering a challenge with a passkey: the request options' challenge, bound to the stepgate
 * challenge and the digest of the request it holds, and the assertion checked against it —
 * counted, refused and completed exactly as a code is (see `verification.ts`).
 */
import type { WebAuthnSettings } from "../../config/policy-schema";
import { authenticationMethods } from "../../factors/authentication-methods";
import { AssertionResponseSchema, verifyAssertion, type WebAuthnRefusal } from "../../factors/webauthn";
import { bindingChallenge } from "../../factors/webauthn-challenge";
import { applyEpoch } from "./admin";
import { countAttempt } from "./attempts";
import type { RequestOrigin } from "./audit";
import { completeChallenge, openChallengeRow } from "./challenges";
import type { UserContext } from "./context";
import type { LockoutPolicy } from "./lockout";
import { acceptAnswer, type NewLocationCheck, refuseCode } from "./verification";
import type { VerifyOutcome, WebAuthnRequest } from "./views";
import { activeCredential, credentialDescriptors, noteAssertion } from "./webauthn-credentials";

/**
 * What the request options for answering `challengeId` need: `bindingChallenge` of the
 * challenge id and the digest stored with it (never one the client names), and the user's
 * active credentials as `allowCredentials`.
 * @example
 * const request = await webAuthnRequest(sql, challengeId, sessionId, Date.now());
 * if (request.ok) requestOptions(settings, { rpId, challenge: request.challenge, allow: request.allow, timeoutMs })
 */
export async function webAuthnRequest(sql: SqlStorage, challengeId: string, sessionId: string, now: number): Promise<WebAuthnRequest> {
  const row = openChallengeRow(sql, challengeId, sessionId, now);
  // As for codes: an enrolment challenge is answered only by enrolling.
  if (row?.kind !== "step_up") return { ok: false, error: "challenge_not_found" };
  const allow = credentialDescriptors(sql);
  if (allow.length === 0) return { ok: false, error: "factor_not_enrolled" };
  return { ok: true, challenge: await bindingChallenge(challengeId, row.digest), allow };
}

/**
 * Answers a challenge with an assertion (`navigator.credentials.get()`, `toJSON()`ed). The
 * attempt is counted before anything is checked, so a refused assertion counts toward the
 * lockout like a wrong code; after the signature check (an await) everything is re-read and
 * written with no await between, so of assertions racing for one challenge exactly one is
 * accepted, and a credential removed meanwhile answers nothing.
 */
export async function answerWithWebAuthn(
  user: UserContext,
  input: {
    challengeId: string;
    sessionId: string;
    response: unknown;
    /** The hosted page's origin and the relying party ID its options named. */
    ceremony: { origin: string; rpId: string };
    settings: { webauthn: Pick<WebAuthnSettings, "userVerification">; lockout: LockoutPolicy };
    origin: RequestOrigin;
    enrollmentEpoch?: number;
    newLocation?: NewLocationCheck;
  },
): Promise<VerifyOutcome> {
  applyEpoch(user, input.enrollmentEpoch);
  const now = Date.now();
  const row = openChallengeRow(user.sql, input.challengeId, input.sessionId, now);
  if (row?.kind !== "step_up") return { ok: false, error: "challenge_not_found" };
  if (credentialDescriptors(user.sql).length === 0) return { ok: false, error: "factor_not_enrolled" };
  const counted = countAttempt(user.sql, now, input.settings.lockout);
  if ("ok" in counted) return counted;
  const refuse = (reason: WebAuthnRefusal, detail: Record<string, unknown> = {}) =>
    refuseCode(user, { origin: input.origin, factor: "webauthn", now, policy: input.settings.lockout, counted }, { reason, ...detail });

  const parsed = AssertionResponseSchema.safeParse(input.response);
  if (!parsed.success) return refuse("malformed");
  const credential = activeCredential(user.sql, parsed.data.rawId);
  if (!credential) return refuse("unknown_credential");
  const verdict = await verifyAssertion(input.response, {
    challenge: await bindingChallenge(input.challengeId, row.digest),
    origin: input.ceremony.origin,
    rpId: input.ceremony.rpId,
    userVerification: input.settings.webauthn.userVerification,
    credential,
  });

  // Synchronous from here: the counter and the challenge are checked and written together.
  const current = activeCredential(user.sql, credential.credentialId);
  if (!current) return refuse("unknown_credential");
  // The challenge first: an assertion that lost a race to another is not taken for a clone.
  if (verdict.ok && !openChallengeRow(user.sql, input.challengeId, input.sessionId, now)) return { ok: false, error: "challenge_not_found" };
  const counter = verdict.ok ? verdict.newCounter : null;
  const regressed = verdict.ok ? (counter !== 0 || current.counter !== 0) && counter! <= current.counter : verdict.reason === "counter_regressed";
  if (regressed) {
    // Two copies of the key exist (WebAuthn §7.2 step 22): audited apart, for the admin to see.
    user.record(now, "webauthn.counter_regressed", input.origin, { factorId: current.factorId, stored: current.counter, received: counter });
    return refuse("counter_regressed", { factorId: current.factorId });
  }
  if (!verdict.ok) return refuse(verdict.reason, { factorId: current.factorId });
  const challenge = user.transaction(() => {
    noteAssertion(user.sql, current.factorId, verdict.newCounter, verdict.backedUp, now);
    const amr = authenticationMethods({ factor: "webauthn", backupEligible: current.backupEligible });
    return completeChallenge(user.sql, input.challengeId, input.sessionId, now, amr);
  });
  if (!challenge) return { ok: false, error: "challenge_not_found" };
  acceptAnswer(
    user,
    { sessionId: input.sessionId, factor: "webauthn", origin: input.origin, challenge, startedLockAt: counted.startedLockAt, newLocation: input.newLocation },
    now,
  );
  return { ok: true, ...challenge };
}
