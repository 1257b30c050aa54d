/**
 * @module
 * Left only until `state/user/index.ts` stops importing it: the benchmark now counts KV reads and
 * Durable Object calls from outside stepgate (bench/counting-env.ts), so this counts nothing.
 * Delete the file with that import.
 */

/**
 * The stub as is.
 * @example
 * return countedStub(env, env.USERS.get(id)); // becomes: return env.USERS.get(id);
 */
export function countedStub<T extends object>(_env: Env, stub: T): T {
  return stub;
}
