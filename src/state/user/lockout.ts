/**
 * @module
 * Failed-attempt lockout as pure functions of (state, now, policy), so the Durable Object
 * only loads, applies and stores, and the clock is a parameter in tests.
 *
 * Two kinds of lock: a temporary one (`lockSeconds`) once `maxAttempts` wrong answers fall in
 * one window, and, when the tenant turns escalation on (`maxTemporaryLockouts` > 0, as
 * Keycloak's permanent lockout), one that lasts until an admin unlocks: the lock that would be
 * the next temporary one after `maxTemporaryLockouts` of them within `temporaryLockoutPeriodSeconds`.
 */
import { MAX_TEMPORARY_LOCKOUTS, type Policy } from "../../config/policy-schema";

/** The per-user part of the policy's `lockout` (its per-IP limit is counted in the tenant's object). */
export type LockoutPolicy = Pick<Policy["lockout"], "maxAttempts" | "windowSeconds" | "lockSeconds" | "maxTemporaryLockouts" | "temporaryLockoutPeriodSeconds">;

export interface LockoutState {
  failures: number;
  windowStartedAt: number;
  /** When the temporary lock ends (0: none was started since the count was last cleared). */
  lockedUntil: number;
  /** When the lock that lasts until an admin unlocks began (0: none). */
  lockedUntilUnlockSince: number;
  /**
   * When each temporary lock began, oldest first (at most {@link MAX_TEMPORARY_LOCKOUTS}); those
   * within the period are what escalation counts. A right answer keeps them: a lock says
   * someone guessed, and the owner's right answer later does not say it was them.
   */
  temporaryLocks: readonly number[];
}

/** Where the user stands: free to answer, locked until a time, or locked until an admin unlocks. */
export type Lock = { kind: "open" } | { kind: "temporary"; until: number } | { kind: "until_unlock"; since: number };

export const NO_FAILURES: LockoutState = { failures: 0, windowStartedAt: 0, lockedUntil: 0, lockedUntilUnlockSince: 0, temporaryLocks: [] };

/**
 * The lock in force at `now`.
 * @example
 * currentLock(state, Date.now()) // { kind: "temporary", until: 1767225600000 }
 */
export function currentLock(state: LockoutState, now: number): Lock {
  if (state.lockedUntilUnlockSince !== 0) return { kind: "until_unlock", since: state.lockedUntilUnlockSince };
  return state.lockedUntil > now ? { kind: "temporary", until: state.lockedUntil } : { kind: "open" };
}

/** Milliseconds until a temporary lock ends; 0 when not locked for a time (open, or locked until an admin unlocks). */
export function lockRemainingMs(state: LockoutState, now: number): number {
  return Math.max(0, state.lockedUntil - now);
}

/**
 * The state after one more failure: a new window when the last one has passed, and a lock
 * once `maxAttempts` failures fall inside one window — until an admin unlocks when
 * `maxTemporaryLockouts` temporary locks already began within the period.
 * @example
 * const next = afterFailure(state, Date.now(), policy.lockout);
 */
export function afterFailure(current: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  if (current.lockedUntilUnlockSince !== 0) return current;
  // A lock that has run out starts the count again; it must not re-lock on the next slip. It
  // still counts toward escalation.
  const state = current.lockedUntil !== 0 && current.lockedUntil <= now ? { ...NO_FAILURES, temporaryLocks: current.temporaryLocks } : current;
  const windowOpen = state.failures > 0 && now - state.windowStartedAt < policy.windowSeconds * 1000;
  const failures = windowOpen ? state.failures + 1 : 1;
  const windowStartedAt = windowOpen ? state.windowStartedAt : now;
  const counted = { ...state, failures, windowStartedAt };
  return failures >= policy.maxAttempts ? startLock(counted, now, policy) : counted;
}

/** A temporary lock, or the one until an admin unlocks when the period holds `maxTemporaryLockouts` already. */
function startLock(state: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  const periodMs = policy.temporaryLockoutPeriodSeconds * 1000;
  const recent = state.temporaryLocks.filter((at) => now - at < periodMs);
  if (policy.maxTemporaryLockouts > 0 && recent.length >= policy.maxTemporaryLockouts) {
    return { ...state, lockedUntil: 0, lockedUntilUnlockSince: now, temporaryLocks: recent };
  }
  return { ...state, lockedUntil: now + policy.lockSeconds * 1000, temporaryLocks: [...recent, now].slice(-MAX_TEMPORARY_LOCKOUTS) };
}

/**
 * The state after a right answer: the failure count is cleared, but not a lock that racing wrong
 * answers started meanwhile. A lock this answer's own count started at `startedLockAt` (the
 * answer that reached `maxAttempts` was the right one; 0: it started none) is undone, and not
 * counted toward escalation: only the wrong answers before it count.
 * @example
 * afterRightAnswer(loadLockout(sql), now, counted.startedLockAt)
 */
export function afterRightAnswer(state: LockoutState, now: number, startedLockAt: number): LockoutState {
  const lock = currentLock(state, now);
  const ownLock =
    startedLockAt !== 0 &&
    ((lock.kind === "until_unlock" && lock.since === startedLockAt) || (lock.kind === "temporary" && state.temporaryLocks.at(-1) === startedLockAt));
  if (lock.kind !== "open" && !ownLock) return state;
  const temporaryLocks = ownLock && lock.kind === "temporary" ? state.temporaryLocks.slice(0, -1) : state.temporaryLocks;
  return { ...NO_FAILURES, temporaryLocks };
}

/** How many more wrong answers are allowed before the lock. */
export function attemptsRemaining(state: LockoutState, policy: LockoutPolicy): number {
  return Math.max(0, policy.maxAttempts - state.failures);
}
