/**
 * @module
 * Fresh verifications (`fresh_sessions`), spent grants (`used_grants`) and the revocation of
 * every grant and trusted device at once.
 */
import { setSetting } from "./settings";

/** Adding a factor to an enrolled account needs a verification this recent, in the same session. */
export const FRESH_VERIFICATION_MS = 10 * 60_000;

/** Whether this session verified within {@link FRESH_VERIFICATION_MS}. */
export function isFresh(sql: SqlStorage, sessionId: string, now: number): boolean {
  const fresh = sql.exec<{ verified_at: number }>("SELECT verified_at FROM fresh_sessions WHERE session_id = ?", sessionId).toArray()[0];
  return fresh !== undefined && now - fresh.verified_at < FRESH_VERIFICATION_MS;
}

export function markFresh(sql: SqlStorage, sessionId: string, now: number): void {
  sql.exec("DELETE FROM fresh_sessions WHERE verified_at <= ?", now - FRESH_VERIFICATION_MS);
  sql.exec(
    "INSERT INTO fresh_sessions (session_id, verified_at) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET verified_at = excluded.verified_at",
    sessionId,
    now,
  );
}

export function grantSpent(sql: SqlStorage, jti: string): boolean {
  return sql.exec("SELECT 1 FROM used_grants WHERE jti = ?", jti).toArray().length > 0;
}

/** Every grant issued before `now` is void at its next check, and no device is trusted any more. */
export function revokeEverything(sql: SqlStorage, now: number): void {
  setSetting(sql, "revoked_before", now);
  sql.exec("DELETE FROM devices");
}
