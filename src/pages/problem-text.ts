/**
 * @module
 * A problem as the pages say it, in the page's language: a refused code beside the form that
 * sent it (wrong, with the attempts left; or locked out, with the time to wait or until unlocked), anything else
 * as the error page's title and words. The problem's own `detail` is English for API clients and
 * logs; a page says what its code means, and what the user can do.
 */
import { ProblemError } from "../lib/problem";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

/** A refused code or passkey the page shows beside its form; anything else is an error page. */
export function shownBesideForm(error: unknown): error is ProblemError {
  return error instanceof ProblemError && ["invalid_code", "webauthn_refused", "locked", "locked_until_unlock", "ip_rate_limited"].includes(error.code);
}

/** The error page's title by the problem's code; others by their status. */
const TITLES: Readonly<Record<string, PageKey>> = {
  session_required: "error.signIn",
  csrf_failed: "error.formExpired",
  cross_site: "error.refused",
  cross_site_request: "error.refused",
  not_found: "error.notFound",
  challenge_not_found: "error.notFound",
  enrollment_not_found: "error.notFound",
  device_not_found: "error.notFound",
  already_enrolled: "error.notPossible",
  factor_not_enrolled: "error.notPossible",
  last_factor_required: "error.notPossible",
  factor_disabled: "error.notPossible",
  passkeys_unavailable: "error.notPossible",
  fresh_verification_required: "error.notPossible",
  not_verified: "error.notPossible",
  display_field_missing: "error.refused",
  already_completed: "error.notPossible",
  locked: "error.tooMany",
  locked_until_unlock: "error.tooMany",
  ip_rate_limited: "error.tooMany",
  resend_cooldown: "error.tooMany",
  send_limit: "error.tooMany",
  origin_unreachable: "error.originUnreachable",
  origin_timeout: "error.originUnreachable",
  recipient_refused: "error.notSent",
  delivery_failed: "error.notSent",
  delivery_busy: "error.notSent",
  delivery_misconfigured: "error.notSent",
  not_an_admin: "error.refused",
  insufficient_scope: "error.refused",
  key_sign_in_off: "error.notPossible",
  sign_in_rate_limited: "error.tooMany",
};

/** What the problem means to the user, by its code; others by their status. */
const DETAILS: Readonly<Record<string, PageKey>> = {
  session_required: "problem.session_required",
  csrf_failed: "problem.csrf_failed",
  cross_site: "problem.cross_site",
  cross_site_request: "problem.cross_site",
  not_found: "problem.not_found",
  device_not_found: "problem.not_found",
  challenge_not_found: "problem.challenge_not_found",
  enrollment_not_found: "problem.enrollment_not_found",
  already_enrolled: "problem.already_enrolled",
  factor_not_enrolled: "problem.factor_not_enrolled",
  last_factor_required: "problem.last_factor_required",
  factor_disabled: "problem.factor_disabled",
  passkeys_unavailable: "passkey.unavailable",
  fresh_verification_required: "problem.fresh_verification_required",
  not_verified: "problem.not_verified",
  display_field_missing: "problem.display_field_missing",
  already_completed: "problem.already_completed",
  locked: "problem.locked",
  locked_until_unlock: "problem.locked_until_unlock",
  ip_rate_limited: "problem.ip_rate_limited",
  resend_cooldown: "problem.resend_cooldown",
  send_limit: "problem.send_limit",
  recipient_refused: "problem.recipient_refused",
  delivery_failed: "problem.delivery_failed",
  delivery_busy: "problem.delivery_failed",
  delivery_misconfigured: "problem.delivery_misconfigured",
  origin_unreachable: "problem.origin_unreachable",
  origin_timeout: "problem.origin_unreachable",
  invalid_code: "code.wrong",
  not_an_admin: "problem.not_an_admin",
  insufficient_scope: "problem.insufficient_scope",
  key_sign_in_off: "problem.key_sign_in_off",
  sign_in_rate_limited: "problem.sign_in_rate_limited",
  // An answer to a challenge, with the attempts left (the enrolment page says its own words).
  webauthn_refused: "passkey.refusedAttempts",
};

/**
 * What went wrong, and what the user can do: try again (with the attempts left), wait (for how
 * long), or go back.
 * @example
 * problemDetail(text, error) // "That code is not right. 4 attempts left."
 */
export function problemDetail(text: PageText, error: ProblemError): string {
  const key = DETAILS[error.code] ?? (error.status >= 500 ? "problem.unavailable" : "problem.refused");
  const { retryAfterSeconds, attemptsRemaining, field } = error.extras;
  return text.t(key, {
    wait: text.wait(Number(retryAfterSeconds ?? 0)),
    count: Number(attemptsRemaining ?? 0),
    field: String(field ?? ""),
  });
}

/** The error page's heading for `error`. */
export function problemTitle(text: PageText, error: ProblemError): string {
  return text.t(TITLES[error.code] ?? (error.status >= 500 ? "error.unavailable" : "error.refused"));
}
