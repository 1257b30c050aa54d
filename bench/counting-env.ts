/**
 * @module
 * stepgate's bindings wrapped so that each KV read and each call on a Durable Object's stub is
 * counted, for the benchmark (`npm run bench`), which reports them measured, not guessed. The
 * counting is done from outside stepgate, on the bindings it is given, so stepgate itself
 * carries no counters and the instances the benchmark times run it as it deploys.
 */

/** Running totals, kept by whoever wraps the bindings. */
export interface CallCounts {
  kvReads: number;
  durableObjectCalls: number;
}

/** KV methods that read (each is one billed read, or list, operation). */
const KV_READS = new Set<PropertyKey>(["get", "getWithMetadata", "list"]);
/** Namespace methods that hand out a stub to an object. */
const STUB_GETTERS = new Set<PropertyKey>(["get", "getByName"]);

/**
 * `env` with the policy KV and both Durable Object namespaces counting into `counts`.
 * @example
 * return stepgate.fetch(request, countingEnv(env, counts), ctx);
 */
export function countingEnv(env: Env, counts: CallCounts): Env {
  return {
    ...env,
    POLICY: counted(env.POLICY, (method) => {
      if (KV_READS.has(method)) counts.kvReads++;
    }),
    USERS: countingNamespace(env.USERS, counts),
    TENANTS: countingNamespace(env.TENANTS, counts),
  };
}

function countingNamespace<T extends object>(namespace: T, counts: CallCounts): T {
  return counted(namespace, undefined, (method, result) =>
    STUB_GETTERS.has(method)
      ? counted(result as object, () => {
          counts.durableObjectCalls++;
        })
      : result,
  );
}

/**
 * `target` with `onCall(method)` run before each method call, and the method's result passed
 * through `mapResult`. Methods are called on the real object: native bindings and RPC stubs
 * refuse a call whose `this` is a proxy.
 */
function counted<T extends object>(
  target: T,
  onCall?: (method: PropertyKey) => void,
  mapResult: (method: PropertyKey, result: unknown) => unknown = (_, result) => result,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        onCall?.(property);
        return mapResult(property, (object as Record<PropertyKey, (...a: unknown[]) => unknown>)[property]!(...args));
      };
    },
  });
}
