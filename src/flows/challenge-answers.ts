/**
 * @module
 * Answering a challenge and confirming an enrolment, shared by the JSON API and the hosted
 * pages: the user's Durable Object decides, and only a success is turned into a grant.
 */
import { LOGIN } from "../config/operation-schema";
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import type { IssuedGrant } from "../gate/grant";
import { perIpBucket } from "../lib/client-ip";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { addressLimitState, type VerifyAttempt } from "../state/address-limit";
import type { CodeKind } from "../state/user/sent-codes";
import { userState, type AnswerFactor, type ConfirmOutcome, type NewLocationCheck, type VerifyOutcome, type WebAuthnConfirmOutcome } from "../state/user";
import { parse } from "hono/utils/cookie";
import { DEVICE_COOKIE, deviceCookie, deviceName, devicesMaySkip, trustedDeviceId } from "../gate/device-cookie";
import { grantOperation, proofOf } from "./grant-cookie";
import { refusalProblem } from "./user-outcomes";
import { reachState } from "../lib/reach-state";
import { passkeyCeremony } from "./passkeys";

/** What a challenge is answered with: a code of one of the user's factors, or a passkey's assertion (`credential.toJSON()`). */
export type ChallengeAnswer = { factor: AnswerFactor; code: string } | { factor: "webauthn"; response: unknown };

/** What proves a new factor: its first code, or the browser's new passkey (`credential.toJSON()`) with the name the user gave it. */
export type EnrollmentProof = { kind: "totp" | CodeKind; code: string } | { kind: "webauthn"; response: unknown; name: string | null };

export interface AnsweredChallenge {
  grant: IssuedGrant;
  operation: string;
  returnTo: string | null;
  /** Whether the request that opened the challenge is kept, to be completed now. */
  held: boolean;
}

/**
 * Verifies `answer` for challenge `challengeId`, then grants its operation (cookie set on `c`).
 * Throws the refusal as a problem: 400 `invalid_code` (a code) or `webauthn_refused` (an
 * assertion), 429 `locked`, 423 `locked_until_unlock` (see `refusalProblem`), 404
 * `challenge_not_found`, 429 `ip_rate_limited` (too many wrong answers from the client's IP
 * across users). A refused assertion counts as a wrong code does.
 * @example
 * const { grant, operation } = await answerChallenge(c, id, { factor: "totp", code: "123456" });
 */
export async function answerChallenge(c: Context<SessionEnv>, challengeId: string, answer: ChallengeAnswer, trustDevice = false): Promise<AnsweredChallenge> {
  const { identity, policy, tenant } = c.var;
  const origin = requestOrigin(c.req.raw);
  // Checked before an attempt is counted: a passkey that cannot be used here is no guess.
  const ceremony = answer.factor === "webauthn" ? passkeyCeremony(c) : null;
  // The bucket (the client's network, or the user when there is no address) is what is counted,
  // in the object of its network: never the tenant's, which would serialise every verification
  // of a big tenant. The audit of a refusal names the address as sent.
  const bucket = perIpBucket(c.req.raw, identity.userId);
  const addressLimits = addressLimitState(c.env, tenant.tenantId, bucket);
  const attempt = await reachState<VerifyAttempt>(() => addressLimits.takeAttempt(bucket, policy.lockout.perIpPerHour, origin));
  if (!attempt.ok) {
    throw new ProblemError(
      429,
      "ip_rate_limited",
      `Too many wrong codes from this network; try again in ${attempt.retryAfterSeconds} s.`,
      { retryAfterSeconds: attempt.retryAfterSeconds },
      {
        "Retry-After": String(attempt.retryAfterSeconds),
      },
    );
  }
  const user = userState(c.env, tenant.tenantId, identity.userId);
  const newLocation = await newLocationCheck(c);
  const outcome = await reachState<VerifyOutcome>(() =>
    answer.factor === "webauthn"
      ? user.answerWithWebAuthn({
          challengeId,
          sessionId: identity.sessionId,
          response: answer.response,
          ceremony: { origin: ceremony!.origin, rpId: ceremony!.rpId },
          settings: { webauthn: ceremony!.settings, lockout: policy.lockout },
          origin,
          enrollmentEpoch: policy.enrollmentEpoch,
          newLocation,
        })
      : user.verify({
          challengeId,
          sessionId: identity.sessionId,
          factor: answer.factor,
          code: answer.code,
          settings: { totp: policy.factors.totp, lockout: policy.lockout },
          origin,
          enrollmentEpoch: policy.enrollmentEpoch,
          newLocation,
        }),
  );
  if (!outcome.ok) {
    if (answer.factor === "webauthn" && outcome.error === "invalid_code") {
      throw new ProblemError(400, "webauthn_refused", "The passkey's answer was not accepted.", { attemptsRemaining: outcome.attemptsRemaining });
    }
    throw refusalProblem(outcome);
  }
  // Off the response's path: a success is not one of the IP's wrong answers.
  c.executionCtx.waitUntil(addressLimits.forgetAttempt(attempt.id).catch((error) => console.error("stepgate: forgetting a verify attempt failed", error)));
  const deviceId = trustDevice ? await rememberDevice(c, outcome.operation, outcome.verifiedAt) : null;
  const proof = proofOf(outcome.amr, outcome.verifiedAt);
  const grant = await grantOperation(c, outcome.operation, { deviceId, requestDigest: outcome.digest, jti: outcome.grantId, proof }, outcome.verifiedAt);
  return { grant, operation: outcome.operation, returnTo: outcome.returnTo, held: outcome.held };
}

/**
 * What the user's object needs to audit a sign-in from a new location (`login.newLocation`):
 * the trusted device this browser presents (a genuine cookie of this user), which such a sign-in
 * does not let skip; `undefined` while the policy has it off.
 */
async function newLocationCheck(c: Context<SessionEnv>): Promise<NewLocationCheck | undefined> {
  const { identity, policy, tenant } = c.var;
  if (!policy.login.newLocation) return undefined;
  const cookie = parse(c.req.header("Cookie") ?? "", DEVICE_COOKIE)[DEVICE_COOKIE];
  return { deviceId: await trustedDeviceId(c.env, cookie, tenant.tenantId, identity.userId) };
}

/**
 * "Trust this device": records the browser in the user's object and sets the device cookie,
 * when the policy lets devices skip `operation` (otherwise the wish is ignored: a device is
 * never trusted from a withdrawal or a factor change the policy does not let it skip).
 * Returns the new device's id, or `null`.
 */
export async function rememberDevice(c: Context<SessionEnv>, operation: string, provedAt: number): Promise<string | null> {
  const { identity, policy, tenant } = c.var;
  if (!devicesMaySkip(policy, operation)) return null;
  const origin = requestOrigin(c.req.raw);
  const { days, max } = policy.trustedDevices;
  const trusted = await reachState<{ deviceId: string; expiresAt: number } | null>(() =>
    userState(c.env, tenant.tenantId, identity.userId).trustDevice({ name: deviceName(origin.userAgent), days, max, origin, provedAt }),
  );
  if (!trusted) return null;
  c.header("Set-Cookie", await deviceCookie(c.env, tenant.tenantId, identity.userId, trusted.deviceId, trusted.expiresAt), { append: true });
  return trusted.deviceId;
}

/** An enrolment confirmed: the new factor, the backup codes that came with it, and what it answered. */
export interface ConfirmedEnrollment {
  factorId: string;
  /** A passkey's name (the user's, else its maker's); `null` for other factors. */
  name: string | null;
  backupCodes: string[];
  grant: IssuedGrant | null;
  returnTo: string | null;
  held: boolean;
  replaced: boolean;
}

/**
 * Confirms an enrolment (authenticator, phone, email or passkey) with its proof. Backup codes
 * come back once, with the first factor; when the enrolment answered a challenge, its operation
 * is granted too; `replaced` says the new app took the enrolled one's place. A passkey the
 * browser's response does not prove is a 400 `webauthn_refused` with the check that failed.
 * @example
 * const { backupCodes } = await confirmEnrollment(c, enrollmentId, { kind: "totp", code: "123456" }, null);
 */
export async function confirmEnrollment(
  c: Context<SessionEnv>,
  enrollmentId: string,
  proof: EnrollmentProof,
  challengeId: string | null,
  trustDevice = false,
): Promise<ConfirmedEnrollment> {
  const { identity, policy, tenant } = c.var;
  const user = userState(c.env, tenant.tenantId, identity.userId);
  const ceremony = proof.kind === "webauthn" ? passkeyCeremony(c) : null;
  const common = {
    enrollmentId,
    sessionId: identity.sessionId,
    challengeId,
    backupCodeCount: policy.factors.backupCodes.count,
    origin: requestOrigin(c.req.raw),
    enrollmentEpoch: policy.enrollmentEpoch,
  };
  const outcome = await reachState<ConfirmOutcome | WebAuthnConfirmOutcome>(() =>
    proof.kind === "webauthn"
      ? user.confirmWebAuthnEnrollment({
          ...common,
          response: proof.response,
          ceremony: { origin: ceremony!.origin, rpId: ceremony!.rpId },
          settings: ceremony!.settings,
          name: proof.name,
        })
      : user.confirmEnrollment({ ...common, kind: proof.kind, code: proof.code, settings: { totp: policy.factors.totp, lockout: policy.lockout } }),
  );
  if (!outcome.ok) {
    if (outcome.error === "webauthn_refused") {
      throw new ProblemError(400, "webauthn_refused", `The new passkey was not accepted (${outcome.reason}).`, { reason: outcome.reason });
    }
    throw refusalProblem(outcome);
  }
  const challenge = outcome.challenge;
  const deviceId = trustDevice && challenge ? await rememberDevice(c, challenge.operation, challenge.verifiedAt) : null;
  const grant = challenge
    ? await grantOperation(
        c,
        challenge.operation,
        { deviceId, requestDigest: challenge.digest, jti: challenge.grantId, proof: proofOf(challenge.amr, challenge.verifiedAt) },
        challenge.verifiedAt,
      )
    : null;
  // A first factor enrolled of the user's own accord (optional enforcement) proves this session
  // as much as one enrolled when the login challenge sent them to (required): either way the
  // next page must not ask for a code again. Its cookie only: `grant` is the challenge's answer.
  if (!challenge && outcome.firstFactor && policy.operations[LOGIN]?.enabled) {
    const now = Date.now();
    await grantOperation(c, LOGIN, { proof: proofOf(outcome.amr, now) }, now);
  }
  return {
    factorId: outcome.factorId,
    name: "name" in outcome ? outcome.name : null,
    backupCodes: outcome.backupCodes,
    grant,
    returnTo: challenge?.returnTo ?? null,
    held: challenge?.held ?? false,
    replaced: outcome.replaced,
  };
}
