import { describe, expect, it } from "vitest";
import { afterFailure, attemptsRemaining, lockRemainingMs, NO_FAILURES } from "../../src/state/user/lockout";

const policy = { maxAttempts: 3, windowSeconds: 60, lockSeconds: 120 };

describe("failed-attempt lockout", () => {
  it("locks on the last allowed failure inside one window", () => {
    let state = NO_FAILURES;
    for (const t of [0, 10_000, 20_000]) state = afterFailure(state, t, policy);
    expect(attemptsRemaining(state, policy)).toBe(0);
    expect(lockRemainingMs(state, 20_000)).toBe(120_000);
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
    state = afterFailure(state, 120_010, policy);
    expect(state.failures).toBe(1);
    expect(lockRemainingMs(state, 120_010)).toBe(0);
  });
});
