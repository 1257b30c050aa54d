/**
 * @module
 * Counting stepgate's KV reads and Durable Object calls, for the benchmark (`npm run bench`),
 * which must report them measured, not guessed. Off unless the Worker variable
 * `STEPGATE_COUNT_CALLS` is `"1"`; then every response carries the isolate's running totals in
 * `StepGate-Calls: kv=<reads>;do=<calls>`.
 */

/** The isolate's running totals. */
export const callCounts = { kvReads: 0, durableObjectCalls: 0 };

/** Whether this deployment counts (a benchmark run). */
export function countingCalls(env: Env): boolean {
  return (env as unknown as { STEPGATE_COUNT_CALLS?: string }).STEPGATE_COUNT_CALLS === "1";
}

/**
 * The stub as is, or, when counting, a stub that counts each method call.
 * @example
 * return countedStub(env, env.USERS.get(id));
 */
export function countedStub<T extends object>(env: Env, stub: T): T {
  if (!countingCalls(env)) return stub;
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== "function") return value;
      // Called as a method of the real stub: an RPC method must not be detached from it.
      return (...args: unknown[]) => {
        callCounts.durableObjectCalls++;
        return (target as Record<PropertyKey, (...a: unknown[]) => unknown>)[property]!(...args);
      };
    },
  });
}

/** The header value with the running totals. */
export function callCountsHeader(): string {
  return `kv=${callCounts.kvReads};do=${callCounts.durableObjectCalls}`;
}
