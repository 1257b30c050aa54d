/**
 * @module
 * The last step every enrolment shares, whatever proved the new factor (a first code, a
 * passkey's registration): backup codes made for a first factor, then the pending row made
 * active in one transaction with what goes with it, recorded, and the enrolment challenge
 * answered.
 */
import { newBackupCodes, normalizeBackupCode } from "../../factors/backup-codes";
import { keyedHash } from "../../lib/keyed-hash";
import type { RequestOrigin } from "./audit";
import { completeChallenge } from "./challenges";
import type { UserContext } from "./context";
import { activeFactors, replaceBackupCodes } from "./factors";
import { notePlace, placeOf } from "./places";
import { markFresh } from "./sessions";
import type { CompletedChallenge } from "./views";

/** A first factor's backup codes, as shown once and as stored (keyed hashes). */
export interface NewBackupCodes {
  firstFactor: boolean;
  codes: string[];
  hashes: string[];
}

/**
 * The backup codes a new factor comes with: `count` of them when the user has no factor yet,
 * none otherwise. Hashing awaits, so this runs before the synchronous stretch that activates.
 * @example
 * const backup = await backupCodesForNewFactor(user, input.backupCodeCount);
 */
export async function backupCodesForNewFactor(user: UserContext, count: number): Promise<NewBackupCodes> {
  const firstFactor = activeFactors(user.sql).length === 0;
  const codes = firstFactor ? newBackupCodes(count) : [];
  const hashes = await Promise.all(codes.map((code) => keyedHash(user.env, `${user.owner}:backup`, normalizeBackupCode(code))));
  return { firstFactor, codes, hashes };
}

/**
 * Activates the pending enrolment `enrollmentId`, which the caller has proved and re-checked
 * with no await since. One transaction: the factor's own columns (`write`), the row made active,
 * the factor it replaces removed (so the user never holds none or two apps), every other pending
 * enrolment dropped (started under the account's old state), a first factor's backup codes stored
 * and this session made fresh (adding a later factor must not extend the window), and `also`
 * (clearing the failures a code counted). Then recorded, and — for a first factor only — the
 * challenge that sent the user to enrol is answered: an enrolled user proves themselves with a
 * factor they had before.
 * @example
 * const challenge = activateFactor(user, { enrollmentId, kind: "totp", amr: ["otp", "mfa"], backup, sessionId, challengeId, origin, now });
 */
export function activateFactor(
  user: UserContext,
  input: {
    enrollmentId: string;
    kind: string;
    /** What the new factor proved (RFC 8176 `amr` values), for the enrolment challenge it answers. */
    amr: string[];
    backup: NewBackupCodes;
    sessionId: string;
    challengeId: string | null;
    origin: RequestOrigin;
    now: number;
    /** The active authenticator app the new one takes the place of. */
    replaces?: string | null;
    /** What the factor's row holds besides being active (a passkey's credential), written first. */
    write?: () => void;
    /** Written last, in the same transaction. */
    also?: () => void;
    /** More for the audit entry (a passkey's AAGUID). */
    detail?: Record<string, unknown>;
  },
): CompletedChallenge | null {
  const { enrollmentId, backup, now } = input;
  const replaces = input.replaces ?? null;
  user.transaction(() => {
    input.write?.();
    user.sql.exec("UPDATE factors SET status = 'active', confirmed_at = ? WHERE id = ?", now, enrollmentId);
    if (replaces) user.sql.exec("DELETE FROM factors WHERE id = ? AND kind = 'totp' AND status = 'active'", replaces);
    user.sql.exec("DELETE FROM factors WHERE status = 'pending'");
    if (backup.firstFactor) {
      replaceBackupCodes(user.sql, backup.hashes, now);
      markFresh(user.sql, input.sessionId, now);
    }
    input.also?.();
    // A first factor signs the user in (it answers the challenge that sent them to enrol, or
    // earns the login grant): its place is theirs. A later one teaches none, as a verification
    // of anything but `login` does not (see `acceptAnswer`).
    if (backup.firstFactor) notePlace(user.sql, placeOf(input.origin), now);
  });
  user.statusChanged();
  const detail = { factor: input.kind, factorId: enrollmentId, ...input.detail };
  if (replaces) user.record(now, "factor.replaced", input.origin, { ...detail, replacedId: replaces });
  else user.record(now, "factor.enrolled", input.origin, detail);
  if (backup.firstFactor) user.record(now, "backup_codes.issued", input.origin, { count: backup.hashes.length, regenerated: false });
  return input.challengeId && backup.firstFactor ? completeChallenge(user.sql, input.challengeId, input.sessionId, now, input.amr, "enroll") : null;
}
