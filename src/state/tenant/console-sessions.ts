/**
 * @module
 * Admin console sessions opened with an API key (`/__stepgate/admin/sign-in`), in the tenant's
 * Durable Object. Stored here rather than sealed in the cookie: signing out, revoking the key
 * (or rotating the bootstrap key) and the idle timeout must end a session at once, and a sealed
 * cookie stays valid until it expires whatever the server later decides. The cookie carries a
 * random token; only its SHA-256 is stored (256 random bits: nothing to brute-force).
 */
import type { AdminScope } from "./views";

/** A console session ends this long after sign-in, however busy. */
export const CONSOLE_SESSION_ABSOLUTE_MS = 8 * 3_600_000;
/** … or after this long without a request. */
export const CONSOLE_SESSION_IDLE_MS = 30 * 60_000;

/** Who a session acts for: `key:<id>` (a tenant key, ended by its revocation) or `bootstrap`. */
export interface ConsoleSessionOwner {
  actor: string;
  /** The tenant key signed in with; `null` for the bootstrap key. */
  keyId: string | null;
  /** For the bootstrap key, a SHA-256 of it: a rotated bootstrap key ends its sessions. */
  fingerprint: string | null;
  scopes: readonly AdminScope[];
}

/** A live session: who, with which scopes, and until when at the latest (epoch ms). */
export interface LiveConsoleSession {
  actor: string;
  scopes: AdminScope[];
  expiresAt: number;
}

type SessionRow = {
  actor: string;
  key_id: string | null;
  fingerprint: string | null;
  scopes: string;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
};

export function insertConsoleSession(sql: SqlStorage, tokenHash: string, owner: ConsoleSessionOwner, now: number): void {
  sweepConsoleSessions(sql, now);
  sql.exec(
    "INSERT INTO console_sessions (token_hash, actor, key_id, fingerprint, scopes, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    tokenHash,
    owner.actor,
    owner.keyId,
    owner.fingerprint,
    JSON.stringify(owner.scopes),
    now,
    now,
  );
}

/**
 * The session whose token hashes to `tokenHash`, when it is within both timeouts, its key is
 * still live and (bootstrap) the deployment's key is still the one signed in with; its idle
 * clock starts again. A session that fails any of these is deleted.
 */
export function touchConsoleSession(sql: SqlStorage, tokenHash: string, bootstrapFingerprint: string | null, now: number): LiveConsoleSession | null {
  const row = sql
    .exec<SessionRow>(
      `SELECT s.actor, s.key_id, s.fingerprint, s.scopes, s.created_at, s.last_seen_at, k.revoked_at
       FROM console_sessions s LEFT JOIN api_keys k ON k.id = s.key_id WHERE s.token_hash = ?`,
      tokenHash,
    )
    .toArray()[0];
  if (!row) return null;
  const expiresAt = row.created_at + CONSOLE_SESSION_ABSOLUTE_MS;
  const keyGone = row.key_id !== null && row.revoked_at !== null;
  const bootstrapGone = row.key_id === null && (bootstrapFingerprint === null || row.fingerprint !== bootstrapFingerprint);
  if (now >= expiresAt || now - row.last_seen_at >= CONSOLE_SESSION_IDLE_MS || keyGone || bootstrapGone) {
    sql.exec("DELETE FROM console_sessions WHERE token_hash = ?", tokenHash);
    return null;
  }
  sql.exec("UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?", now, tokenHash);
  return { actor: row.actor, scopes: JSON.parse(row.scopes) as AdminScope[], expiresAt };
}

/** Ends a session; returns whose it was, or `null` when there was none. */
export function deleteConsoleSession(sql: SqlStorage, tokenHash: string): string | null {
  return sql.exec<{ actor: string }>("DELETE FROM console_sessions WHERE token_hash = ? RETURNING actor", tokenHash).toArray()[0]?.actor ?? null;
}

/** Forgets sessions past either timeout (their cookies may never come back to be refused). */
function sweepConsoleSessions(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM console_sessions WHERE created_at <= ? OR last_seen_at <= ?", now - CONSOLE_SESSION_ABSOLUTE_MS, now - CONSOLE_SESSION_IDLE_MS);
}
