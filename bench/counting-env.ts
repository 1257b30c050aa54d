/**
 * @module
 * stepgate's bindings wrapped so that each KV read and each call on a Durable Object's stub is
 * counted, for the benchmark (`npm run bench`), which reports them measured, not guessed. The
 * counting is done from outside stepgate, on the bindings it is given, so stepgate itself
 * carries no counters and the instances the benchmark times run it as it deploys.
 */

/** Who made a call: the worker answering a request, the event stream's consumers, or an object itself. */
export type CallOrigin = "request" | "stream" | "object";

/** Running totals, kept by whoever wraps the bindings. */
export interface CallCounts {
  kvReads: number;
  durableObjectCalls: number;
  /**
   * Calls on each object, by who made them: keyed `<binding> <name>`, the name the object was
   * reached by (`idFromName`), else its id. Shows which object a path calls, and how often.
   */
  byObject: Record<CallOrigin, Record<string, number>>;
}

/** Where the counting entry (bench/counting-worker.ts) answers `CallCounts.byObject` (never a portal's path: the bench's origin has none). */
export const CALLS_PATH = "/__bench/calls";

/** Empty totals. */
export const noCalls = (): CallCounts => ({ kvReads: 0, durableObjectCalls: 0, byObject: { request: {}, stream: {}, object: {} } });

/** KV methods that read (each is one billed read, or list, operation). */
const KV_READS = new Set<PropertyKey>(["get", "getWithMetadata", "list"]);
/** Namespace methods that hand out a stub to an object. */
const STUB_GETTERS = new Set<PropertyKey>(["get", "getByName"]);
/** stepgate's Durable Object bindings. */
const NAMESPACES = ["USERS", "TENANTS", "ADDRESS_LIMITS"] as const;

/**
 * `env` with the policy KV and every Durable Object namespace counting into `counts`, each
 * call on an object also under `origin`.
 * @example
 * return stepgate.fetch(request, countingEnv(env, counts), ctx);
 */
export function countingEnv(env: Env, counts: CallCounts, origin: CallOrigin = "request"): Env {
  const counting = { ...env };
  counting.POLICY = counted(env.POLICY, (method) => {
    if (KV_READS.has(method)) counts.kvReads++;
  });
  for (const binding of NAMESPACES) Object.assign(counting, { [binding]: countingNamespace(binding, env[binding], counts, origin) });
  return counting;
}

function countingNamespace<T extends object>(binding: string, namespace: T, counts: CallCounts, origin: CallOrigin): T {
  return counted(namespace, undefined, (method, result, args) => {
    if (!STUB_GETTERS.has(method)) return result;
    const target = args[0] as DurableObjectId | string;
    const key = `${binding} ${typeof target === "string" ? target : (target.name ?? target.toString())}`;
    return counted(result as object, () => {
      counts.durableObjectCalls++;
      const calls = counts.byObject[origin];
      calls[key] = (calls[key] ?? 0) + 1;
    });
  });
}

/**
 * `target` with `onCall(method)` run before each method call, and the method's result passed
 * through `mapResult`. Methods are called on the real object: native bindings and RPC stubs
 * refuse a call whose `this` is a proxy.
 */
function counted<T extends object>(
  target: T,
  onCall?: (method: PropertyKey) => void,
  mapResult: (method: PropertyKey, result: unknown, args: unknown[]) => unknown = (_, result) => result,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        onCall?.(property);
        return mapResult(property, (object as Record<PropertyKey, (...a: unknown[]) => unknown>)[property]!(...args), args);
      };
    },
  });
}
