/**
 * @module
 * The stored failed-attempt counter (`lockout` table), applied with the pure rules of `lockout.ts`.
 */
import { afterFailure, lockRemainingMs, NO_FAILURES, type LockoutPolicy, type LockoutState } from "./lockout";
import type { Refusal } from "./views";

export function loadLockout(sql: SqlStorage): LockoutState {
  const row = sql
    .exec<{ failures: number; window_started_at: number; locked_until: number }>("SELECT failures, window_started_at, locked_until FROM lockout")
    .toArray()[0];
  return row ? { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until } : NO_FAILURES;
}

export function saveLockout(sql: SqlStorage, state: LockoutState): void {
  sql.exec(
    "INSERT INTO lockout (id, failures, window_started_at, locked_until) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
    state.failures,
    state.windowStartedAt,
    state.lockedUntil,
  );
}

/**
 * Raises the failure count before the code is checked, so N answers racing each other can
 * never be judged against a count that has not yet seen the others. A right answer resets it.
 */
export function countAttempt(sql: SqlStorage, now: number, policy: LockoutPolicy): Refusal | { lockedUntil: number } {
  const state = loadLockout(sql);
  const remaining = lockRemainingMs(state, now);
  if (remaining > 0) return { ok: false, error: "locked", retryAfterSeconds: Math.ceil(remaining / 1000) };
  const counted = afterFailure(state, now, policy);
  saveLockout(sql, counted);
  // The lock this very attempt started, if it did (0 otherwise).
  return { lockedUntil: counted.lockedUntil > now && state.lockedUntil <= now ? counted.lockedUntil : 0 };
}

/**
 * A right answer clears the failure count, but not a lock that racing wrong answers set
 * meanwhile. A lock the right answer's own count started (`startedLock`, the answer that
 * reached `maxAttempts` was the right one) is cleared: only the wrong answers before it count.
 */
export function clearFailures(sql: SqlStorage, now: number, startedLock: number): void {
  const { lockedUntil } = loadLockout(sql);
  if (lockedUntil <= now || lockedUntil === startedLock) saveLockout(sql, NO_FAILURES);
}
