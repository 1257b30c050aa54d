/**
 * @module
 * Answering a challenge, and what a verified challenge allows: taking its held request and
 * spending its grant. See the user object's module note on why an attempt is counted first.
 */
import { LOGIN } from "../../config/operation-schema";
import { authenticationMethods } from "../../factors/authentication-methods";
import { unseal } from "../../lib/sealed";
import { applyEpoch } from "./admin";
import { sentCodePurposeOf, spendCode } from "./answers";
import { clearFailures, countAttempt, type CountedAttempt, loadLockout } from "./attempts";
import type { RequestOrigin } from "./audit";
import { CHALLENGE_TTL_MS, completeChallenge, openChallengeRow } from "./challenges";
import type { UserContext } from "./context";
import { activeFactors, backupCodesLeft } from "./factors";
import { attemptsRemaining, type LockoutPolicy } from "./lockout";
import { takeCodeTry } from "./sent-codes";
import { markFresh } from "./sessions";
import { trustedDevice } from "./devices";
import { isNewPlace, loadPlaces, notePlace, placeOf } from "./places";
import {
  MANAGE_FACTORS,
  type AnswerFactor,
  type AnswerSettings,
  type CompletedChallenge,
  type HeldRequestTaken,
  type Refusal,
  type VerifyOutcome,
} from "./views";

/** Answers a challenge with a code; see the module note on why the attempt is counted first. */
export async function verify(
  user: UserContext,
  input: {
    challengeId: string;
    sessionId: string;
    factor: AnswerFactor;
    code: string;
    settings: AnswerSettings;
    origin: RequestOrigin;
    /**
     * The tenant's re-enrolment epoch, applied before the answer is matched: a factor enrolled
     * before 2FA was turned off and on, or a challenge opened before, answers nothing.
     */
    enrollmentEpoch?: number;
    newLocation?: NewLocationCheck;
  },
): Promise<VerifyOutcome> {
  applyEpoch(user, input.enrollmentEpoch);
  const now = Date.now();
  // An enrolment challenge is answered only by enrolling (confirmEnrollment), never by a code:
  // a user who must enrol cannot pass with leftover backup codes and no factor.
  if (openChallengeRow(user.sql, input.challengeId, input.sessionId, now)?.kind !== "step_up") return { ok: false, error: "challenge_not_found" };
  const factor = input.factor === "backup_code" ? null : activeFactors(user.sql).find((f) => f.kind === input.factor);
  if (input.factor !== "backup_code" && !factor) return { ok: false, error: "factor_not_enrolled" };
  const counted = countAttempt(user.sql, now, input.settings.lockout);
  if ("ok" in counted) return counted;
  // A sent code's tries are used up before it is checked, like the lockout count above.
  const sentPurpose = sentCodePurposeOf(input.factor, input.challengeId);
  const refused = { origin: input.origin, factor: input.factor, now, policy: input.settings.lockout, counted };
  if (sentPurpose && !takeCodeTry(user.sql, sentPurpose, now)) return refuseCode(user, refused);

  const matched = await user.matchAnswer(input, factor?.id ?? null, now);

  // Synchronous from here: the replay check and its write cannot be split by another request.
  if (!matched || !spendCode(user.sql, matched)) return refuseCode(user, refused);
  const challenge = completeChallenge(user.sql, input.challengeId, input.sessionId, now, authenticationMethods({ factor: input.factor }));
  if (!challenge) return { ok: false, error: "challenge_not_found" };
  acceptAnswer(user, { ...input, challenge, startedLockAt: counted.startedLockAt }, now);
  if (matched.kind === "backup_code") {
    user.record(now, "backup_code.used", input.origin, { remaining: backupCodesLeft(user.sql) });
  }
  return { ok: true, ...challenge };
}

/**
 * `login.newLocation` while it is on: a verification of the `login` operation from a place new to
 * the user is a sign-in from a new location, audited as `signin.new_location`.
 */
export interface NewLocationCheck {
  /** The trusted device the browser presented (cookie checked), which a new place does not let skip the verification. */
  deviceId: string | null;
}

/**
 * What every right answer does once its challenge is completed, in one transaction: the failure
 * count is cleared (see {@link clearFailures} for `startedLockAt`), a `manage_factors`
 * verification makes the session fresh, and a sign-in's place is noted among the user's; then
 * `verify.ok` is audited (with the fields the user approved, when the challenge showed some), and `signin.new_location` for a sign-in from a place new to the user
 * (with what a message about it needs: country, network, city, factor, and the device set aside).
 *
 * Only a sign-in (a verification of `login`) teaches a place: a withdrawal verified from a new
 * country — perhaps by a thief with a phished code — leaves that country new, so a sign-in from
 * there (a trusted device's cookie copied off the machine) is still asked for a factor and told.
 */
export function acceptAnswer(
  user: UserContext,
  answer: {
    sessionId: string;
    factor: string;
    origin: RequestOrigin;
    challenge: CompletedChallenge;
    startedLockAt: number;
    newLocation?: NewLocationCheck;
  },
  now: number,
): void {
  const place = placeOf(answer.origin);
  const check = answer.newLocation;
  const signIn = answer.challenge.operation === LOGIN;
  const newLocation = user.transaction(() => {
    const isNew = signIn && check !== undefined && isNewPlace(loadPlaces(user.sql), place);
    clearFailures(user.sql, now, answer.startedLockAt);
    // Only a verification asked for to manage factors opens the window to add one.
    if (answer.challenge.operation === MANAGE_FACTORS) markFresh(user.sql, answer.sessionId, now);
    if (signIn) notePlace(user.sql, place, now);
    return isNew;
  });
  // What was approved is part of the record (and of the alert of an approval): the fields shown.
  const { approving } = answer.challenge;
  user.record(now, "verify.ok", answer.origin, {
    factor: answer.factor,
    operation: answer.challenge.operation,
    ...(approving.length > 0 ? { approving } : {}),
  });
  if (newLocation) {
    const deviceId = check?.deviceId && trustedDevice(user.sql, check.deviceId, now) ? check.deviceId : null;
    user.record(now, "signin.new_location", answer.origin, {
      country: place.country,
      asn: place.asn,
      city: answer.origin.city ?? null,
      factor: answer.factor,
      setAsideDeviceId: deviceId,
    });
  }
}

/** A wrong answer, already counted by {@link countAttempt}, and the attempt as counted. */
export interface RefusedAnswer {
  origin: RequestOrigin;
  factor: string;
  now: number;
  policy: LockoutPolicy;
  counted: CountedAttempt;
}

/**
 * A wrong answer: audited with the attempts left; the one whose count started a lock records it
 * once (`lockout.started`, or `lockout.escalated` for the lock that lasts until an admin unlocks,
 * with when it began: what the user is told), however many wrong answers raced it.
 */
export function refuseCode(user: UserContext, refused: RefusedAnswer, detail: Record<string, unknown> = {}): Refusal {
  const { origin, factor, now, policy, counted } = refused;
  const left = attemptsRemaining(loadLockout(user.sql), policy);
  user.record(now, "verify.failed", origin, { factor, attemptsRemaining: left, ...detail });
  const lock = counted.startedLock;
  if (lock.kind === "temporary") user.record(now, "lockout.started", origin, { until: lock.until });
  if (lock.kind === "until_unlock") {
    user.record(now, "lockout.escalated", origin, {
      since: lock.since,
      temporaryLockouts: policy.maxTemporaryLockouts,
      periodSeconds: policy.temporaryLockoutPeriodSeconds,
    });
  }
  if (lock.kind !== "open") user.statusChanged();
  return { ok: false, error: "invalid_code", attemptsRemaining: left };
}

/**
 * Takes the request held with a verified challenge, to send it on: once only, within the
 * challenge's lifetime, and only while its grant is unspent. The caller sends it through the
 * gate with that grant, which spends it; so of a complete and a retry with the grant racing,
 * exactly one reaches the origin.
 */
export async function takeHeldRequest(user: UserContext, challengeId: string, sessionId: string): Promise<HeldRequestTaken> {
  const now = Date.now();
  const row = user.sql
    .exec<{
      operation: string;
      expires_at: number;
      digest: string | null;
      held_sealed: string | null;
      grant_id: string | null;
      verified_at: number | null;
      completed_at: number | null;
      amr: string | null;
    }>(
      "SELECT operation, expires_at, digest, held_sealed, grant_id, verified_at, completed_at, amr FROM challenges WHERE id = ? AND session_id = ? AND expires_at > ?",
      challengeId,
      sessionId,
      now,
    )
    .toArray()[0];
  if (!row?.held_sealed) return { ok: false, error: "challenge_not_found" };
  if (row.verified_at === null || row.grant_id === null) return { ok: false, error: "not_verified" };
  // Checked and written with no await between: of two completes racing, one takes it.
  if (row.completed_at !== null || user.grantSpent(row.grant_id)) return { ok: false, error: "already_completed" };
  user.sql.exec("UPDATE challenges SET completed_at = ? WHERE id = ?", now, challengeId);
  const request = await unseal(user.env, row.held_sealed, `held:${user.owner}:${challengeId}`);
  // A challenge answered before its answer was kept (`amr` NULL) says nothing of how.
  const amr = JSON.parse(row.amr ?? "[]") as string[];
  return { ok: true, request, grantId: row.grant_id, digest: row.digest, operation: row.operation, verifiedAt: row.verified_at, amr };
}

/**
 * Marks a single-use grant as spent; `true` only for its first use.
 * @example
 * if (!(await user.consumeGrant(jti, expiresAt))) // replayed
 */
export async function consumeGrant(user: UserContext, jti: string, expiresAt: number): Promise<boolean> {
  const now = Date.now();
  user.sql.exec("DELETE FROM used_grants WHERE expires_at <= ?", now);
  // Read and write with no await between them: no other request can interleave here.
  if (user.grantSpent(jti)) return false;
  // Remembered at least as long as a challenge lives, so a held request of the same challenge
  // can never be completed after its grant was used and forgotten.
  user.sql.exec("INSERT INTO used_grants (jti, expires_at) VALUES (?, ?)", jti, Math.max(expiresAt, now + CHALLENGE_TTL_MS));
  // The request the grant approved was sent: its held copy is done too.
  user.sql.exec("UPDATE challenges SET completed_at = ? WHERE grant_id = ? AND completed_at IS NULL", now, jti);
  return true;
}
