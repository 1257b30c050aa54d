import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterFailure,
  afterRightAnswer,
  attemptsRemaining,
  currentLock,
  lockRemainingMs,
  type LockoutPolicy,
  type LockoutState,
  NO_FAILURES,
} from "../../src/state/user/lockout";

const policy: LockoutPolicy = { maxAttempts: 3, windowSeconds: 60, lockSeconds: 120, maxTemporaryLockouts: 0, temporaryLockoutPeriodSeconds: 86_400 };
const escalating: LockoutPolicy = { ...policy, maxTemporaryLockouts: 2, temporaryLockoutPeriodSeconds: 3_600 };

/** `maxAttempts` wrong answers from `at`, one a millisecond apart: one lock. */
function lockAt(state: LockoutState, at: number, rules: LockoutPolicy): LockoutState {
  for (let i = 0; i < rules.maxAttempts; i++) state = afterFailure(state, at + i, rules);
  return state;
}

describe("failed-attempt lockout", () => {
  it("locks on the last allowed failure inside one window", () => {
    let state = NO_FAILURES;
    for (const t of [0, 10_000, 20_000]) state = afterFailure(state, t, policy);
    expect(attemptsRemaining(state, policy)).toBe(0);
    expect(lockRemainingMs(state, 20_000)).toBe(120_000);
    expect(currentLock(state, 20_000)).toEqual({ kind: "temporary", until: 140_000 });
  });

  it("starts a new window once the old one has passed", () => {
    let state = afterFailure(NO_FAILURES, 0, policy);
    state = afterFailure(state, 10_000, policy);
    state = afterFailure(state, 61_000, policy);
    expect(state.failures).toBe(1);
    expect(lockRemainingMs(state, 61_000)).toBe(0);
  });

  it("ends the lock after lockSeconds, and the next slip does not re-lock at once", () => {
    let state = NO_FAILURES;
    for (const t of [0, 1, 2]) state = afterFailure(state, t, policy);
    expect(lockRemainingMs(state, 120_001)).toBe(1);
    expect(lockRemainingMs(state, 120_002)).toBe(0);
    expect(currentLock(state, 120_002)).toEqual({ kind: "open" });
    state = afterFailure(state, 120_010, policy);
    expect(state.failures).toBe(1);
    expect(lockRemainingMs(state, 120_010)).toBe(0);
  });
});

describe("escalating lockout (lockout.maxTemporaryLockouts)", () => {
  it("locks until an admin unlocks after maxTemporaryLockouts temporary locks within the period", () => {
    let state = lockAt(NO_FAILURES, 0, escalating);
    expect(currentLock(state, 2)).toEqual({ kind: "temporary", until: 120_002 });
    state = lockAt(state, 200_000, escalating);
    expect(currentLock(state, 200_002)).toEqual({ kind: "temporary", until: 320_002 });
    expect(state.temporaryLocks).toEqual([2, 200_002]);
    // The third lock within the hour: no end time, and no wait ends it.
    state = lockAt(state, 400_000, escalating);
    expect(currentLock(state, 400_002)).toEqual({ kind: "until_unlock", since: 400_002 });
    expect(lockRemainingMs(state, 400_002)).toBe(0);
    expect(currentLock(state, 400_002 + 365 * 86_400_000)).toEqual({ kind: "until_unlock", since: 400_002 });
    // More wrong answers change nothing (the object refuses them before counting anyway).
    expect(afterFailure(state, 500_000, escalating)).toBe(state);
  });

  it("counts only the temporary locks within the period", () => {
    let state = NO_FAILURES;
    // Each lock 40 minutes after the last: never two others within the hour before a lock.
    for (let i = 0; i < 10; i++) {
      state = lockAt(state, i * 2_400_000, escalating);
      expect(currentLock(state, i * 2_400_000 + 2).kind, `lock ${i + 1}`).toBe("temporary");
    }
    expect(state.temporaryLocks.length).toBeLessThanOrEqual(2);
  });

  it("is off at 0: any number of temporary locks, none until an admin unlocks", () => {
    let state = NO_FAILURES;
    for (let i = 0; i < 50; i++) state = lockAt(state, i * 200_000, policy);
    expect(currentLock(state, 49 * 200_000 + 2).kind).toBe("temporary");
  });

  it("keeps counting the temporary locks after a right answer (it clears only the failures)", () => {
    let state = lockAt(NO_FAILURES, 0, escalating);
    state = afterRightAnswer(state, 200_000, 0);
    expect(state).toEqual({ ...NO_FAILURES, temporaryLocks: [2] });
    state = lockAt(state, 300_000, escalating);
    state = afterRightAnswer(state, 500_000, 0);
    state = lockAt(state, 600_000, escalating);
    expect(currentLock(state, 600_002).kind).toBe("until_unlock");
  });

  it("undoes a lock the right answer's own count started, and does not count it", () => {
    // The third answer of a window reaches maxAttempts and starts a lock; it turns out right.
    let state = afterFailure(afterFailure(NO_FAILURES, 0, escalating), 1, escalating);
    state = afterFailure(state, 2, escalating);
    expect(afterRightAnswer(state, 2, 2)).toEqual(NO_FAILURES);
    // The same for the lock until an admin unlocks.
    let escalated = lockAt(lockAt(NO_FAILURES, 0, escalating), 200_000, escalating);
    escalated = lockAt(escalated, 400_000, escalating);
    expect(afterRightAnswer(escalated, 400_002, 400_002)).toEqual({ ...NO_FAILURES, temporaryLocks: [2, 200_002] });
  });

  it("keeps a lock that racing wrong answers started while the right answer was checked", () => {
    const locked = lockAt(NO_FAILURES, 0, escalating);
    expect(afterRightAnswer(locked, 10, 0)).toBe(locked);
    const escalated = lockAt(lockAt(locked, 200_000, escalating), 400_000, escalating);
    expect(afterRightAnswer(escalated, 400_010, 0)).toBe(escalated);
    expect(afterRightAnswer(escalated, 400_010, 400_001)).toBe(escalated);
  });

  /** Wrong answers at increasing times, refused unanswered while locked (as the user's object does). */
  const answers = fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 200 }).map((gaps) => {
    let t = 0;
    return gaps.map((gap) => (t += gap));
  });
  const rules = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 5 }),
    windowSeconds: fc.integer({ min: 1, max: 900 }),
    lockSeconds: fc.integer({ min: 1, max: 900 }),
    maxTemporaryLockouts: fc.integer({ min: 0, max: 4 }),
    temporaryLockoutPeriodSeconds: fc.integer({ min: 60, max: 7_200 }),
  });

  it("never lets more than maxTemporaryLockouts temporary locks begin within a period, and escalates exactly when the next would", () => {
    fc.assert(
      fc.property(rules, answers, (rules, times) => {
        let state = NO_FAILURES;
        const starts: number[] = [];
        for (const now of times) {
          if (currentLock(state, now).kind !== "open") continue;
          const before = state;
          state = afterFailure(state, now, rules);
          const lock = currentLock(state, now);
          if (lock.kind === "open") continue;
          const within = starts.filter((at) => now - at < rules.temporaryLockoutPeriodSeconds * 1000).length;
          const shouldEscalate = rules.maxTemporaryLockouts > 0 && within >= rules.maxTemporaryLockouts;
          expect(lock.kind).toBe(shouldEscalate ? "until_unlock" : "temporary");
          expect(before.lockedUntilUnlockSince).toBe(0);
          if (lock.kind === "temporary") starts.push(now);
          else break;
        }
        if (rules.maxTemporaryLockouts > 0) {
          for (const at of starts) {
            const inPeriod = starts.filter((other) => other >= at && other - at < rules.temporaryLockoutPeriodSeconds * 1000);
            expect(inPeriod.length).toBeLessThanOrEqual(rules.maxTemporaryLockouts);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("is never escalated by a policy with escalation off, and a lock until unlock never ends by itself", () => {
    fc.assert(
      fc.property(rules, answers, (rules, times) => {
        let state = NO_FAILURES;
        for (const now of times) {
          if (currentLock(state, now).kind === "temporary") continue;
          state = afterFailure(state, now, rules);
          if (rules.maxTemporaryLockouts === 0) expect(state.lockedUntilUnlockSince).toBe(0);
          if (state.lockedUntilUnlockSince !== 0) expect(currentLock(state, now + 10 * 365 * 86_400_000).kind).toBe("until_unlock");
        }
      }),
      { numRuns: 300 },
    );
  });
});
