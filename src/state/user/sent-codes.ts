/**
 * @module
 * Codes sent by text or email, in the user's SQLite: one live code per purpose (a challenge or
 * an enrolment), stored as a keyed hash, with its expiry and the wrong answers it has left; and
 * the log of sends that the per-user cooldown and hourly cap are counted from. Plain functions
 * over `SqlStorage`, all synchronous, so the Durable Object can run each check with its write.
 */
import type { CodeSettings } from "../../factors/code-settings";

export type CodeKind = "sms" | "email";

export interface SentCode {
  kind: CodeKind;
  factorId: string;
  hash: string;
  expiresAt: number;
  attemptsLeft: number;
}

const HOUR_MS = 3_600_000;

/** Why a send is refused, and when it could be tried again. */
export type SendRefusal = { error: "cooling_down" | "user_send_limit"; retryAfterSeconds: number };

/**
 * Checks the cooldown for this channel and the user's hourly cap, and records the send for
 * `purpose` when both allow it. Synchronous, so parallel sends cannot both slip under a limit.
 */
export function reserveSend(sql: SqlStorage, purpose: string, kind: CodeKind, settings: CodeSettings, perHour: number, now: number): SendRefusal | null {
  sql.exec("DELETE FROM sends WHERE at <= ?", now - HOUR_MS);
  const refused = sendRefusal(sql, kind, settings, perHour, now);
  if (refused) return refused;
  sql.exec("INSERT INTO sends (at, purpose, kind) VALUES (?, ?, ?)", now, purpose, kind);
  return null;
}

/**
 * Why a code by `kind` could not be sent now (the channel's cooldown, or the user's hourly cap),
 * and for how long; `null` when it could. Reads only: what a page shows before the user asks.
 */
export function sendRefusal(sql: SqlStorage, kind: CodeKind, settings: CodeSettings, perHour: number, now: number): SendRefusal | null {
  // The cooldown is per user and channel, not per challenge: a new challenge is no way around it.
  const last = sql.exec<{ at: number | null }>("SELECT max(at) AS at FROM sends WHERE kind = ?", kind).one().at;
  const cooldownMs = settings.resendCooldownSeconds * 1000;
  if (last !== null && now - last < cooldownMs) {
    return { error: "cooling_down", retryAfterSeconds: Math.ceil((last + cooldownMs - now) / 1000) };
  }
  const window = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends WHERE at > ?", now - HOUR_MS).one();
  if (window.n >= perHour) {
    return { error: "user_send_limit", retryAfterSeconds: Math.ceil(((window.first ?? now) + HOUR_MS - now) / 1000) };
  }
  return null;
}

/** Forgets a send that could not be delivered, so the user may try again at once. */
export function releaseSend(sql: SqlStorage, purpose: string, at: number): void {
  sql.exec("DELETE FROM sends WHERE purpose = ? AND at = ?", purpose, at);
  sql.exec("DELETE FROM sent_codes WHERE purpose = ?", purpose);
}

/** Stores the code for `purpose`, replacing any earlier one: only the newest code works. */
export function storeCode(sql: SqlStorage, purpose: string, code: SentCode): void {
  sql.exec(
    "INSERT INTO sent_codes (purpose, kind, factor_id, hash, expires_at, attempts_left) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (purpose) DO UPDATE SET kind = excluded.kind, factor_id = excluded.factor_id, hash = excluded.hash, expires_at = excluded.expires_at, attempts_left = excluded.attempts_left",
    purpose,
    code.kind,
    code.factorId,
    code.hash,
    code.expiresAt,
    code.attemptsLeft,
  );
}

/** The live code for `purpose`, or `null` when none was sent or it has expired. */
export function liveCode(sql: SqlStorage, purpose: string, now: number): SentCode | null {
  const row = sql
    .exec<{ kind: CodeKind; factor_id: string; hash: string; expires_at: number; attempts_left: number }>(
      "SELECT kind, factor_id, hash, expires_at, attempts_left FROM sent_codes WHERE purpose = ? AND expires_at > ?",
      purpose,
      now,
    )
    .toArray()[0];
  return row ? { kind: row.kind, factorId: row.factor_id, hash: row.hash, expiresAt: row.expires_at, attemptsLeft: row.attempts_left } : null;
}

/** Spends the code if it is still the live one with this hash; `true` only for the first caller. */
export function spendSentCode(sql: SqlStorage, purpose: string, hash: string, now: number): boolean {
  const code = liveCode(sql, purpose, now);
  if (!code || code.hash !== hash) return false;
  sql.exec("DELETE FROM sent_codes WHERE purpose = ?", purpose);
  return true;
}

/**
 * Uses up one try of the live code before it is checked; `false` (and the code is gone) when
 * there is none or it has no tries left. Racing answers each spend a try before any is judged.
 */
export function takeCodeTry(sql: SqlStorage, purpose: string, now: number): boolean {
  const code = liveCode(sql, purpose, now);
  if (!code || code.attemptsLeft <= 0) {
    sql.exec("DELETE FROM sent_codes WHERE purpose = ?", purpose);
    return false;
  }
  sql.exec("UPDATE sent_codes SET attempts_left = attempts_left - 1 WHERE purpose = ?", purpose);
  return true;
}
