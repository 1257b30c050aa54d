/**
 * @module
 * The stored failed-attempt counter (`lockout` table), applied with the pure rules of `lockout.ts`.
 */
import { afterFailure, afterRightAnswer, currentLock, type Lock, type LockoutPolicy, type LockoutState, NO_FAILURES } from "./lockout";
import type { Refusal } from "./views";

export function loadLockout(sql: SqlStorage): LockoutState {
  const row = sql
    .exec<{ failures: number; window_started_at: number; locked_until: number; locked_until_unlock_since: number; temporary_locks: string }>(
      "SELECT failures, window_started_at, locked_until, locked_until_unlock_since, temporary_locks FROM lockout",
    )
    .toArray()[0];
  if (!row) return NO_FAILURES;
  return {
    failures: row.failures,
    windowStartedAt: row.window_started_at,
    lockedUntil: row.locked_until,
    lockedUntilUnlockSince: row.locked_until_unlock_since,
    temporaryLocks: JSON.parse(row.temporary_locks) as number[],
  };
}

export function saveLockout(sql: SqlStorage, state: LockoutState): void {
  sql.exec(
    `INSERT INTO lockout (id, failures, window_started_at, locked_until, locked_until_unlock_since, temporary_locks) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, locked_until = excluded.locked_until,
       locked_until_unlock_since = excluded.locked_until_unlock_since, temporary_locks = excluded.temporary_locks`,
    state.failures,
    state.windowStartedAt,
    state.lockedUntil,
    state.lockedUntilUnlockSince,
    JSON.stringify(state.temporaryLocks),
  );
}

/** What counting an attempt did: the lock it started (`open`: none), and when (0: none), to undo it if the answer is right. */
export interface CountedAttempt {
  startedLock: Lock;
  startedLockAt: number;
}

/**
 * Raises the failure count before the code is checked, so N answers racing each other can
 * never be judged against a count that has not yet seen the others. A right answer resets it.
 * Refused while locked: `locked` with the wait, or `locked_until_unlock` with no end. The state
 * is read, decided on (`afterFailure`: the count, a lock, its escalation) and stored as one
 * row in one statement, with no await between: one step of the object, whole or not at all.
 */
export function countAttempt(sql: SqlStorage, now: number, policy: LockoutPolicy): Refusal | CountedAttempt {
  const state = loadLockout(sql);
  const lock = currentLock(state, now);
  if (lock.kind === "until_unlock") return { ok: false, error: "locked_until_unlock", lockedSince: lock.since };
  if (lock.kind === "temporary") return { ok: false, error: "locked", retryAfterSeconds: Math.ceil((lock.until - now) / 1000) };
  const counted = afterFailure(state, now, policy);
  saveLockout(sql, counted);
  const startedLock = currentLock(counted, now);
  return { startedLock, startedLockAt: startedLock.kind === "open" ? 0 : now };
}

/**
 * A right answer clears the failure count, but not a lock that racing wrong answers set
 * meanwhile; a lock its own count started (`startedLockAt`) is undone (see `afterRightAnswer`).
 */
export function clearFailures(sql: SqlStorage, now: number, startedLockAt: number): void {
  saveLockout(sql, afterRightAnswer(loadLockout(sql), now, startedLockAt));
}
