/**
 * @module
 * What an admin does to and sees of a user (unlock, reset, requirement, details), and the
 * tenant's re-enrolment epoch.
 */
import { iso } from "../../lib/iso-time";
import { loadLockout, saveLockout } from "./attempts";
import type { RequestOrigin } from "./audit";
import type { UserContext } from "./context";
import { listDevices } from "./devices";
import { backupCodesLeft, factorDetails, factorRows } from "./factors";
import { known } from "./identity";
import { currentLock, NO_FAILURES } from "./lockout";
import { keepRemovedAddresses } from "./removed-addresses";
import { revokeEverything } from "./sessions";
import { requiredByAdmin, setSetting, setting } from "./settings";
import type { UserDetails } from "./views";

/** Ends a lockout at once (admin action), a lock until unlock too, and forgets the temporary locks escalation counts. */
export async function unlock(user: UserContext, origin: RequestOrigin, actor: string): Promise<{ wasLocked: boolean }> {
  const now = Date.now();
  const lock = user.transaction(() => {
    const was = currentLock(loadLockout(user.sql), now);
    saveLockout(user.sql, NO_FAILURES);
    return was;
  });
  const wasLocked = lock.kind !== "open";
  user.record(now, "lockout.cleared", origin, { actor, wasLocked, ...(lock.kind === "until_unlock" ? { lockedSince: lock.since } : {}) });
  if (wasLocked) user.statusChanged();
  return { wasLocked };
}

/**
 * An admin's reset: every factor (pending ones too), backup code, trusted device, sent code,
 * open challenge and fresh verification is gone, the lockout is cleared, and every grant issued
 * before now is void at its next check (within the 5-minute re-check bound). The user enrols
 * again from nothing; the audit trail and spent-grant records stay.
 */
export async function reset(user: UserContext, origin: RequestOrigin, actor: string): Promise<{ factorsRemoved: number } | null> {
  const now = Date.now();
  if (!known(user.sql)) return null;
  const factorsRemoved = user.sql.exec<{ n: number }>("SELECT count(*) AS n FROM factors WHERE status = 'active'").one().n;
  user.transaction(() => {
    // Kept a while for the alert about the reset, which goes to an address the user had.
    keepRemovedAddresses(
      user.sql,
      factorRows(user.sql).map((factor) => factor.id),
      now,
    );
    for (const table of ["factors", "backup_codes", "sent_codes", "challenges", "fresh_sessions"]) user.sql.exec(`DELETE FROM ${table}`);
    saveLockout(user.sql, NO_FAILURES);
    revokeEverything(user.sql, now);
  });
  user.seen(undefined, now);
  user.record(now, "user.reset", origin, { actor, factorsRemoved });
  user.statusChanged();
  return { factorsRemoved };
}

/** What an admin sees of the user: factors, backup codes left, devices, lock and requirement. */
export async function details(user: UserContext, enrollmentEpoch?: number): Promise<UserDetails | null> {
  if (!known(user.sql)) return null;
  await user.applyEnrollmentEpoch(enrollmentEpoch);
  const now = Date.now();
  const factors = factorDetails(user.sql);
  const lock = currentLock(loadLockout(user.sql), now);
  return {
    factors,
    backupCodesLeft: backupCodesLeft(user.sql),
    devices: listDevices(user.sql, Date.now()),
    lockedUntil: lock.kind === "temporary" ? iso(lock.until) : null,
    lockedUntilUnlock: lock.kind === "until_unlock",
    requiredByAdmin: requiredByAdmin(user.sql),
  };
}

/** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
export async function setRequirement(user: UserContext, required: boolean | null, origin: RequestOrigin, actor: string): Promise<void> {
  user.seen(undefined, Date.now());
  setSetting(user.sql, "required_by_admin", required === null ? null : Number(required));
  user.record(Date.now(), "requirement.set", origin, { required, actor });
  user.statusChanged();
}

/** `UserState.applyEnrollmentEpoch`, synchronously: a challenge opened before the epoch is void too. */
export function applyEpoch(user: UserContext, epoch: number | undefined): void {
  if (!epoch || (setting(user.sql, "epoch_applied") ?? 0) >= epoch) return;
  const now = Date.now();
  const dropped = user.transaction(() => {
    const n = user.sql.exec<{ n: number }>("SELECT count(*) AS n FROM factors WHERE created_at < ?", epoch).one().n;
    user.sql.exec("DELETE FROM factors WHERE created_at < ?", epoch);
    user.sql.exec("DELETE FROM challenges WHERE created_at < ?", epoch);
    if (factorRows(user.sql).length === 0) user.sql.exec("DELETE FROM backup_codes");
    setSetting(user.sql, "epoch_applied", epoch);
    return n;
  });
  if (dropped > 0) {
    revokeEverything(user.sql, now);
    user.record(now, "factors.reenrolment_required", { ip: null, userAgent: null }, { dropped });
    user.statusChanged();
  }
}
