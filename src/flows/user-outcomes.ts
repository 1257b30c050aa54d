/**
 * @module
 * Turning what the user's Durable Object answered into problems (its failures become a
 * retry-safe 503 in `lib/reach-state.ts`).
 */
import { ProblemError } from "../lib/problem";
import type { Refusal } from "../state/user";

/**
 * @example
 * if (!outcome.ok) throw refusalProblem(outcome);
 */
export function refusalProblem(refusal: Refusal): ProblemError {
  switch (refusal.error) {
    case "invalid_code":
      return new ProblemError(400, "invalid_code", "That code is not right.", { attemptsRemaining: refusal.attemptsRemaining });
    case "locked":
      return new ProblemError(
        429,
        "locked",
        `Too many wrong codes; try again in ${refusal.retryAfterSeconds} s.`,
        { retryAfterSeconds: refusal.retryAfterSeconds },
        {
          "Retry-After": String(refusal.retryAfterSeconds),
        },
      );
    case "locked_until_unlock":
      // 423, not 429: 429 says "too many, wait" and clients retry it after `Retry-After`; no wait
      // ends this lock, only an admin's unlock, so there is no `Retry-After` and nothing to retry.
      return new ProblemError(
        423,
        "locked_until_unlock",
        "Too many wrong codes after earlier lockouts: verification is locked until an admin unlocks this user.",
        { lockedSince: new Date(refusal.lockedSince).toISOString() },
      );
    case "challenge_not_found":
      return new ProblemError(404, "challenge_not_found", "This challenge does not exist, has expired or was already answered.");
    case "enrollment_not_found":
      return new ProblemError(404, "enrollment_not_found", "This enrolment does not exist or has expired; start again.");
    case "already_enrolled":
      return new ProblemError(409, "already_enrolled", "A factor is already enrolled for this user.");
    case "factor_not_enrolled":
      return new ProblemError(409, "factor_not_enrolled", "That factor is not enrolled for this user.");
    case "last_factor_required":
      return new ProblemError(409, "last_factor_required", "Two-factor verification is required for this account, so its last factor cannot be removed.");
    case "step_up_required":
      return new ProblemError(403, "fresh_verification_required", "Adding a factor needs a verification in this session within the last 10 minutes.");
    case "cooling_down":
      return new ProblemError(
        429,
        "resend_cooldown",
        `Wait ${refusal.retryAfterSeconds} s before asking for another code.`,
        { retryAfterSeconds: refusal.retryAfterSeconds },
        {
          "Retry-After": String(refusal.retryAfterSeconds),
        },
      );
    case "user_send_limit":
      return new ProblemError(
        429,
        "send_limit",
        `Too many codes sent to this account; try again in ${refusal.retryAfterSeconds} s.`,
        { retryAfterSeconds: refusal.retryAfterSeconds, scope: "user" },
        {
          "Retry-After": String(refusal.retryAfterSeconds),
        },
      );
  }
}
