/**
 * @module
 * A Durable Object's failures become a retry-safe 503: when the object cannot be reached
 * nothing was verified and no grant is issued.
 */
import { ProblemError } from "./problem";

/**
 * Runs a call to a Durable Object (a user's or the tenant's); a failure that is not already a
 * problem becomes a 503 (a call that throws changes nothing: each object method writes in one
 * synchronous stretch after its checks).
 * @example
 * const outcome = await reachState(() => user.verify(input));
 */
export async function reachState<T>(call: () => PromiseLike<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    console.error("stepgate: state unavailable", error);
    throw new ProblemError(503, "state_unavailable", "stepgate's state is unavailable for a moment; nothing was changed. Try again.");
  }
}
