/**
 * @module
 * Adding, replacing and removing factors: TOTP and sent-code enrolments, their confirmation with
 * a first code (with backup codes for the first factor), an authenticator app replaced by a new
 * one, removal and new backup codes.
 */
import { authenticationMethods } from "../../factors/authentication-methods";
import { newBackupCodes, normalizeBackupCode } from "../../factors/backup-codes";
import { newTotpSecret, type TotpSettings } from "../../factors/totp";
import { randomId } from "../../lib/ids";
import { keyedHash } from "../../lib/keyed-hash";
import { seal, unseal } from "../../lib/sealed";
import { applyEpoch } from "./admin";
import { matchSentCode, matchTotp, spendCode, type Matched } from "./answers";
import { clearFailures, countAttempt } from "./attempts";
import type { RequestOrigin } from "./audit";
import type { UserContext } from "./context";
import { activateFactor, backupCodesForNewFactor } from "./factor-activation";
import { activeFactors, dropStalePending, ENROLLMENT_TTL_MS, factorRows, replaceBackupCodes, type FactorRow } from "./factors";
import { keepRemovedAddresses } from "./removed-addresses";
import { takeCodeTry, type CodeKind } from "./sent-codes";
import { isFresh, revokeEverything } from "./sessions";
import { refuseCode } from "./verification";
import type { AnswerSettings, AppSettings, CodeEnrollmentStart, ConfirmOutcome, EnrollmentStart, Refusal, RemovalOutcome } from "./views";

/**
 * Starts a TOTP enrolment. With `resume`, an unexpired pending enrolment is returned instead,
 * so reloading the enrolment page keeps the QR code the user may already have scanned.
 *
 * With `replaces` (the id of the enrolled app), the new app is to take the old one's place: a
 * user has one authenticator app, so this is how they move to another. It needs the same fresh
 * verification as removing a factor; the old app keeps working until the new one is confirmed
 * (see {@link confirmEnrollment}), so a replacement left half-way changes nothing.
 */
export async function beginTotpEnrollment(
  user: UserContext,
  input: { sessionId: string; settings: TotpSettings; resume: boolean; replaces?: string | null },
): Promise<EnrollmentStart> {
  const now = Date.now();
  const replaces = input.replaces ?? null;
  const refused = replaces ? mayReplaceTotp(user, replaces, input.sessionId, now) : mayAddFactor(user, input.sessionId, now, (f) => f.kind === "totp");
  if (refused) return refused;
  if (input.resume) {
    const pending = user.sql
      .exec<{ id: string; secret_sealed: string; totp_settings: string }>(
        "SELECT id, secret_sealed, totp_settings FROM factors WHERE status = 'pending' AND kind = 'totp' AND replaces IS ? AND created_at > ? ORDER BY created_at DESC LIMIT 1",
        replaces,
        now - ENROLLMENT_TTL_MS,
      )
      .toArray()[0];
    if (pending) {
      const secret = await unseal(user.env, pending.secret_sealed, `totp:${user.owner}`);
      return { ok: true, enrollmentId: pending.id, secret, settings: JSON.parse(pending.totp_settings) as AppSettings };
    }
  }
  const settings: AppSettings = { digits: input.settings.digits, periodSeconds: input.settings.periodSeconds, algorithm: input.settings.algorithm };
  const secret = newTotpSecret();
  const sealed = await seal(user.env, secret, `totp:${user.owner}`);
  const enrollmentId = randomId();
  dropStalePending(user.sql, now);
  user.sql.exec(
    "INSERT INTO factors (id, kind, status, created_at, secret_sealed, totp_settings, replaces) VALUES (?, 'totp', 'pending', ?, ?, ?, ?)",
    enrollmentId,
    now,
    sealed,
    JSON.stringify(settings),
    replaces,
  );
  user.seen(undefined, now);
  user.statusChanged();
  return { ok: true, enrollmentId, secret, settings };
}

/** Starts enrolling a phone number (E.164, already validated) or an email address. */
export async function beginCodeEnrollment(user: UserContext, kind: CodeKind, address: string, sessionId: string): Promise<CodeEnrollmentStart> {
  const now = Date.now();
  const refused = mayAddFactor(user, sessionId, now, (f) => f.kind === kind && f.address === address);
  if (refused) return refused;
  const enrollmentId = randomId();
  dropStalePending(user.sql, now);
  user.sql.exec("INSERT INTO factors (id, kind, status, created_at, address) VALUES (?, ?, 'pending', ?, ?)", enrollmentId, kind, now, address);
  user.seen(undefined, now);
  user.statusChanged();
  return { ok: true, enrollmentId };
}

/**
 * Confirms a pending enrolment (any factor) with its first code. The first factor also gets
 * backup codes, shown once. When `challengeId` names an open challenge of this session,
 * proving the new factor answers it.
 */
export async function confirmEnrollment(
  user: UserContext,
  input: {
    enrollmentId: string;
    /** The factor the caller expects this enrolment to be. */
    kind: "totp" | CodeKind;
    code: string;
    sessionId: string;
    challengeId: string | null;
    backupCodeCount: number;
    settings: AnswerSettings;
    origin: RequestOrigin;
    /** The tenant's re-enrolment epoch, applied first (see {@link applyEnrollmentEpoch}). */
    enrollmentEpoch?: number;
  },
): Promise<ConfirmOutcome> {
  applyEpoch(user, input.enrollmentEpoch);
  const now = Date.now();
  const pending = user.sql
    .exec<{ kind: string; secret_sealed: string | null; totp_settings: string | null; replaces: string | null }>(
      "SELECT kind, secret_sealed, totp_settings, replaces FROM factors WHERE id = ? AND kind = ? AND status = 'pending' AND created_at > ?",
      input.enrollmentId,
      input.kind,
      now - ENROLLMENT_TTL_MS,
    )
    .toArray()[0];
  if (!pending) return { ok: false, error: "enrollment_not_found" };
  const counted = countAttempt(user.sql, now, input.settings.lockout);
  if ("ok" in counted) return counted;
  // A sent code's tries are used up before it is checked, like the lockout count above.
  const refused = { origin: input.origin, factor: pending.kind, now, policy: input.settings.lockout, counted };
  if (pending.kind !== "totp" && !takeCodeTry(user.sql, `enroll:${input.enrollmentId}`, now)) return refuseCode(user, refused);

  const matched: Matched =
    pending.kind === "totp"
      ? await matchTotp(user, input.enrollmentId, pending, input.code, input.settings.totp, now)
      : await matchSentCode(user, `enroll:${input.enrollmentId}`, input.code, now);
  const backup = await backupCodesForNewFactor(user, input.backupCodeCount);

  // Synchronous from here: nothing can interleave between these checks and writes.
  // The row read before the awaits above may since have gone (another enrolment confirmed
  // meanwhile drops every pending one): nothing to activate, nothing to replace, no wrong code.
  if (user.sql.exec("SELECT 1 FROM factors WHERE id = ? AND status = 'pending'", input.enrollmentId).toArray().length === 0) {
    return { ok: false, error: "enrollment_not_found" };
  }
  if (!matched || !spendCode(user.sql, matched)) return refuseCode(user, refused);
  if (backup.firstFactor && activeFactors(user.sql).length > 0) return { ok: false, error: "already_enrolled" };
  // Checked again here, not only when the enrolment began: a pending enrolment started while
  // the user had no factor must not slip in after they enrolled one elsewhere; a replacement
  // whose old app is gone (removed, reset) has nothing left to replace.
  const stale = pending.replaces
    ? mayReplaceTotp(user, pending.replaces, input.sessionId, now)
    : mayAddFactor(user, input.sessionId, now, (f) => pending.kind === "totp" && f.kind === "totp");
  if (stale) return stale.error === "factor_not_enrolled" ? { ok: false, error: "enrollment_not_found" } : stale;
  const amr = authenticationMethods({ factor: pending.kind as "totp" | CodeKind });
  const challenge = activateFactor(user, {
    enrollmentId: input.enrollmentId,
    kind: pending.kind,
    amr,
    backup,
    sessionId: input.sessionId,
    challengeId: input.challengeId,
    origin: input.origin,
    now,
    replaces: pending.replaces,
    // The right code ends the failures it was counted with, as any right answer does.
    also: () => clearFailures(user.sql, now, counted.startedLockAt),
  });
  return {
    ok: true,
    factorId: input.enrollmentId,
    firstFactor: backup.firstFactor,
    replaced: pending.replaces !== null,
    backupCodes: backup.codes,
    challenge,
    amr,
  };
}

/**
 * Whether this session may add a factor: freely while the user has none, otherwise only
 * after a verification in this session within {@link FRESH_VERIFICATION_MS} — so a stolen
 * portal session cannot quietly add the thief's phone to a protected account.
 */
export function mayAddFactor(user: UserContext, sessionId: string, now: number, duplicate: (factor: FactorRow) => boolean): Refusal | null {
  const active = factorRows(user.sql);
  if (active.some(duplicate)) return { ok: false, error: "already_enrolled" };
  if (active.length === 0) return null;
  return isFresh(user.sql, sessionId, now) ? null : { ok: false, error: "step_up_required" };
}

/**
 * Whether this session may replace the enrolled authenticator app `factorId`: it must be the
 * user's active TOTP factor, and the session must have verified recently (as for removing it).
 */
function mayReplaceTotp(user: UserContext, factorId: string, sessionId: string, now: number): Refusal | null {
  if (!factorRows(user.sql).some((f) => f.id === factorId && f.kind === "totp")) return { ok: false, error: "factor_not_enrolled" };
  return isFresh(user.sql, sessionId, now) ? null : { ok: false, error: "step_up_required" };
}

/**
 * Removes a factor (self-service), when this session verified for `manage_factors` recently
 * and the user may go without it. Removing ends every grant and device trust of the user.
 */
export async function removeFactor(
  user: UserContext,
  input: { factorId: string; sessionId: string; mayRemoveLast: boolean; origin: RequestOrigin },
): Promise<RemovalOutcome> {
  const now = Date.now();
  const active = factorRows(user.sql);
  const removed = active.find((f) => f.id === input.factorId);
  if (!removed) return { ok: false, error: "factor_not_enrolled" };
  if (!isFresh(user.sql, input.sessionId, now)) return { ok: false, error: "step_up_required" };
  if (active.length === 1 && !input.mayRemoveLast) return { ok: false, error: "last_factor_required" };
  keepRemovedAddresses(user.sql, [removed.id], now);
  user.sql.exec("DELETE FROM factors WHERE id = ?", input.factorId);
  if (active.length === 1) user.sql.exec("DELETE FROM backup_codes");
  revokeEverything(user.sql, now);
  user.record(now, "factor.removed", input.origin, { factor: removed.kind, factorId: input.factorId, remaining: active.length - 1 });
  user.statusChanged();
  return { ok: true };
}

/** New backup codes (the old ones die), for a session that verified for `manage_factors` recently. */
export async function regenerateBackupCodes(
  user: UserContext,
  input: { sessionId: string; count: number; origin: RequestOrigin },
): Promise<{ ok: true; backupCodes: string[] } | Refusal> {
  if (factorRows(user.sql).length === 0) return { ok: false, error: "factor_not_enrolled" };
  if (!isFresh(user.sql, input.sessionId, Date.now())) return { ok: false, error: "step_up_required" };
  const backupCodes = newBackupCodes(input.count);
  const hashes = await Promise.all(backupCodes.map((code) => keyedHash(user.env, `${user.owner}:backup`, normalizeBackupCode(code))));
  // Checked again after the await: the last factor may have been removed meanwhile, and backup
  // codes without a factor must not exist.
  if (factorRows(user.sql).length === 0) return { ok: false, error: "factor_not_enrolled" };
  const now = Date.now();
  user.transaction(() => replaceBackupCodes(user.sql, hashes, now));
  user.record(now, "backup_codes.issued", input.origin, { count: hashes.length, regenerated: true });
  return { ok: true, backupCodes };
}
