/**
 * @module
 * Admin console sessions opened with an API key (`/__stepgate/admin/sign-in`), in the tenant's
 * Durable Object. Stored here rather than sealed in the cookie: signing out, revoking the key
 * (or rotating the bootstrap key) and the idle timeout must end a session at once, and a sealed
 * cookie stays valid until it expires whatever the server later decides. The cookie carries a
 * random token; only its SHA-256 is stored (256 random bits: nothing to brute-force).
 *
 * Signing in with a key is limited too: its wrong keys are counted per client network before
 * the key is checked ({@link takeSignInAttempt}).
 */
import { sha256Hex } from "../../lib/crypto";
import { base64url } from "../../lib/encoding";
import type { RequestOrigin } from "../user/audit";
import type { TenantContext } from "./context";
import { takeAttempt, type VerifyAttempt } from "../hourly-attempts";
import type { AdminScope } from "./views";

/**
 * Wrong keys allowed from one client network per hour at the console's sign-in, then `429`: at
 * each tenant, and at the bootstrap key across the deployment (`console-sign-in-limit.ts`). A
 * real key is 256 random bits, so this is not what keeps one from being guessed: it keeps a
 * script from filling the audit trail, and makes a guessing run stand out.
 */
export const KEY_SIGN_IN_FAILURES_PER_HOUR = 10;

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

/**
 * Counts a key sign-in attempt from `bucket` before the key is checked, or refuses it once the
 * bucket's failures in the last hour reached {@link KEY_SIGN_IN_FAILURES_PER_HOUR}. A success
 * forgets its attempt (`forgetAttempt`), so only wrong keys add up. Its buckets are named apart
 * (`sign-in|`) from the verification attempts the same table held before those moved to the
 * address-limit objects (`state/address-limit`).
 */
export function takeSignInAttempt(sql: SqlStorage, bucket: string, now: number): VerifyAttempt {
  return takeAttempt(sql, `sign-in|${bucket}`, KEY_SIGN_IN_FAILURES_PER_HOUR, now);
}

/**
 * Opens a session for a key just checked, audited as its owner's; the token is in the answer and nowhere else.
 * @example
 * const { token, expiresAt } = await openConsoleSession(tenant, owner, origin, Date.now());
 */
export async function openConsoleSession(
  tenant: TenantContext,
  owner: ConsoleSessionOwner,
  origin: RequestOrigin,
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const tokenHash = await sha256Hex(token);
  sweepConsoleSessions(tenant.sql, now);
  tenant.sql.exec(
    "INSERT INTO console_sessions (token_hash, actor, key_id, fingerprint, scopes, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    tokenHash,
    owner.actor,
    owner.keyId,
    owner.fingerprint,
    JSON.stringify(owner.scopes),
    now,
    now,
  );
  tenant.record(now, "console.signed_in", owner.actor, origin, { scopes: owner.scopes });
  return { token, expiresAt: now + CONSOLE_SESSION_ABSOLUTE_MS };
}

/**
 * The session of `token`, when it is within both timeouts, its key is still live and
 * (bootstrap) the deployment's key is still the one signed in with; its idle clock starts
 * again. A session that fails any of these is deleted.
 */
export async function touchConsoleSession(
  sql: SqlStorage,
  token: string,
  bootstrapFingerprint: string | null,
  now: number,
): Promise<LiveConsoleSession | null> {
  const tokenHash = await sha256Hex(token);
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

/** Signs a session out, audited as its key's (nothing when there was none). */
export async function closeConsoleSession(tenant: TenantContext, token: string, origin: RequestOrigin, now: number): Promise<void> {
  const ended = tenant.sql.exec<{ actor: string }>("DELETE FROM console_sessions WHERE token_hash = ? RETURNING actor", await sha256Hex(token)).toArray()[0];
  if (ended) tenant.record(now, "console.signed_out", ended.actor, origin, {});
}

/** Forgets sessions past either timeout (their cookies may never come back to be refused). */
function sweepConsoleSessions(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM console_sessions WHERE created_at <= ? OR last_seen_at <= ?", now - CONSOLE_SESSION_ABSOLUTE_MS, now - CONSOLE_SESSION_IDLE_MS);
}
