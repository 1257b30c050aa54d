/**
 * @module
 * Failed-attempt lockout as pure functions of (state, now, policy), so the Durable Object
 * only loads, applies and stores, and the clock is a parameter in tests.
 */
import type { Policy } from "../../config/policy-schema";

/** The per-user part of the policy's `lockout` (its per-IP limit is counted in the tenant's object). */
export type LockoutPolicy = Pick<Policy["lockout"], "maxAttempts" | "windowSeconds" | "lockSeconds">;

export interface LockoutState {
  failures: number;
  windowStartedAt: number;
  lockedUntil: number;
}

export const NO_FAILURES: LockoutState = { failures: 0, windowStartedAt: 0, lockedUntil: 0 };

/** Milliseconds until the lock ends; 0 when not locked. */
export function lockRemainingMs(state: LockoutState, now: number): number {
  return Math.max(0, state.lockedUntil - now);
}

/**
 * The state after one more failure: a new window when the last one has passed, and a lock
 * once `maxAttempts` failures fall inside one window.
 * @example
 * const next = afterFailure(state, Date.now(), policy.lockout);
 */
export function afterFailure(current: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  // A lock that has run out starts the count again; it must not re-lock on the next slip.
  const state = current.lockedUntil !== 0 && current.lockedUntil <= now ? NO_FAILURES : current;
  const windowOpen = state.failures > 0 && now - state.windowStartedAt < policy.windowSeconds * 1000;
  const failures = windowOpen ? state.failures + 1 : 1;
  const windowStartedAt = windowOpen ? state.windowStartedAt : now;
  const lockedUntil = failures >= policy.maxAttempts ? now + policy.lockSeconds * 1000 : state.lockedUntil;
  return { failures, windowStartedAt, lockedUntil };
}

/** How many more wrong answers are allowed before the lock. */
export function attemptsRemaining(state: LockoutState, policy: LockoutPolicy): number {
  return Math.max(0, policy.maxAttempts - state.failures);
}
