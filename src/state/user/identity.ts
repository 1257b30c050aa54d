/**
 * @module
 * Who the user is to stepgate (`profile` table): first and last seen, their email, and their
 * row for the tenant's directory.
 */
import { tableExists } from "../object-identity";
import type { DirectoryRow } from "../events";
import { LOCKED_UNTIL_UNLOCK } from "../tenant/directory";
import { loadLockout } from "./attempts";
import type { LockoutState } from "./lockout";
import { ENROLLMENT_TTL_MS, factorRows } from "./factors";
import { requiredByAdmin, setting } from "./settings";

/**
 * The name of an object whose profile was written before names were stored (an object woken
 * nameless then wrote `""` there: that is no name).
 */
export function nameFromProfile(sql: SqlStorage): string | null {
  if (!tableExists(sql, "profile")) return null;
  const row = sql.exec<{ tenant_id: string; user_id: string }>("SELECT tenant_id, user_id FROM profile WHERE id = 1").toArray()[0];
  return row && row.tenant_id !== "" ? JSON.stringify([row.tenant_id, row.user_id]) : null;
}

/** Whether stepgate has seen this user (their profile exists). */
export function known(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM profile WHERE id = 1").toArray().length > 0;
}

/**
 * Notes the user in their profile the first time (first and last seen now), and the session's
 * email, with when, when it changes. Returns whether the profile changed.
 */
export function noteSeen(sql: SqlStorage, who: { tenantId: string; userId: string }, email: string | null | undefined, now: number): boolean {
  const profile = sql.exec<{ email: string | null }>("SELECT email FROM profile WHERE id = 1").toArray()[0];
  if (profile && (email === undefined || profile.email === email)) return false;
  sql.exec(
    `INSERT INTO profile (id, tenant_id, user_id, email, email_noted_at, first_seen_at, last_seen_at) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET email = excluded.email, email_noted_at = excluded.email_noted_at`,
    who.tenantId,
    who.userId,
    email ?? null,
    email ? now : null,
    now,
    now,
  );
  return true;
}

/**
 * How finely the directory's "last seen" follows the user. Their object notes each visit, but
 * moves the time on (and so sends its row to the tenant's object) at most once per step: the
 * tenant's object, shared by all of a tenant's users, is written per user every quarter hour
 * at most, never per request.
 */
export const LAST_SEEN_STEP_MS = 15 * 60_000;

/**
 * Notes that the user themself came (through the gate, their pages or the user API; never an
 * admin's action), when their last noted visit is a step old. Returns whether the time moved on.
 */
export function noteVisit(sql: SqlStorage, now: number): boolean {
  return (
    sql.exec("UPDATE profile SET last_seen_at = ? WHERE id = 1 AND (last_seen_at IS NULL OR last_seen_at <= ?)", now, now - LAST_SEEN_STEP_MS).rowsWritten > 0
  );
}

/** This user's row for the tenant's directory, or `null` before the user was first seen. */
export function directoryRow(sql: SqlStorage, userId: string): DirectoryRow | null {
  const profile = sql
    .exec<{ email: string | null; first_seen_at: number | null; last_seen_at: number | null }>(
      "SELECT email, first_seen_at, last_seen_at FROM profile WHERE id = 1",
    )
    .toArray()[0];
  if (!profile) return null;
  const factors = factorRows(sql);
  const pending = sql.exec<{ at: number | null }>("SELECT max(created_at) AS at FROM factors WHERE status = 'pending'").one().at;
  const enrolled = sql.exec<{ at: number | null }>("SELECT min(coalesce(confirmed_at, created_at)) AS at FROM factors WHERE status = 'active'").one().at;
  return {
    userId,
    email: profile.email ?? factors.find((f) => f.kind === "email")?.address ?? null,
    factors: [...new Set(factors.map((f) => f.kind))],
    pendingUntil: pending === null ? 0 : pending + ENROLLMENT_TTL_MS,
    required: requiredByAdmin(sql),
    lockedUntil: lockedUntilOf(loadLockout(sql)),
    enrolledAt: enrolled,
    firstSeenAt: profile.first_seen_at ?? Date.now(),
    lastSeenAt: profile.last_seen_at,
    version: setting(sql, "directory_version") ?? 0,
  };
}

/** A lock as the directory keeps it: its end, or {@link LOCKED_UNTIL_UNLOCK}. */
function lockedUntilOf(state: LockoutState): number {
  return state.lockedUntilUnlockSince !== 0 ? LOCKED_UNTIL_UNLOCK : state.lockedUntil;
}
