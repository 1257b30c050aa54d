/**
 * @module
 * The window refused verifications are tallied in: a refused attempt costs the guesser nothing,
 * so one audit entry each would let them flood the trail (and push real entries past its
 * retention). A locked-out user's refusals (`user/locked-refusals.ts`) and a client network's
 * (`address-limit/refusals.ts`) are each counted into one `verify.refused` entry per minute.
 */

/** One `verify.refused` entry per user or bucket per this many milliseconds (calendar minutes). */
export const REFUSAL_WINDOW_MS = 60_000;
