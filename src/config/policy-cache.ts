/**
 * @module
 * Finds a request's tenant by hostname and loads its policy from KV, cached in the isolate.
 *
 * How long a policy change takes to apply: an admin `PUT` replaces the entry in the isolate
 * that served it at once; every other isolate re-reads KV once its entry is older than
 * {@link POLICY_CACHE_MS}, and KV itself may take up to 60 s to show a write in other
 * locations. So a change applies everywhere within about 90 s, and within 30 s where the
 * write was made.
 */
import { ProblemError } from "../lib/problem";
import { kvKeys } from "./kv-keys";
import { interpretPolicy, type TenantConfig } from "./tenant-config";
import type { DestinationRules } from "./unsafe-destinations";

/** How long an isolate trusts its copy of a tenant's policy. */
export const POLICY_CACHE_MS = 30_000;
/** After a failed KV read, how long a stale copy is served before KV is tried again. */
const STALE_RETRY_MS = 5_000;
/** How long other requests use an old entry while one request refreshes it from KV. */
const REFRESH_WAIT_MS = 2_000;
/** Hostnames kept per isolate; the oldest entry is dropped past this. */
const MAX_CACHED_HOSTS = 1_000;

interface CacheEntry {
  config: TenantConfig;
  /** The raw policy text the config was built from, to skip recompiling an unchanged policy. */
  text: string | null;
  expiresAt: number;
  /** Until when a request is already reading KV for this entry (0: none). */
  refreshingUntil?: number;
}

const byHost = new Map<string, CacheEntry>();
/** Bumped by every write this isolate makes; a KV read that started before one is stale. */
let writes = 0;

/**
 * The tenant serving `hostname`, or `null` when no tenant claims it.
 * KV failures serve the last copy this isolate had; without one they are a 503 problem.
 * @example
 * const tenant = await tenantForHost(env.POLICY, "portal.example.com", Date.now(), { development: isDevelopment(env) });
 */
export async function tenantForHost(kv: KVNamespace, hostname: string, now: number, rules: DestinationRules): Promise<TenantConfig | null> {
  const cached = byHost.get(hostname);
  if (cached && cached.expiresAt > now) return cached.config;
  // One request refreshes an old entry; those arriving meanwhile use the old copy for those few
  // milliseconds rather than all reading KV. (They cannot wait for that read instead: a Worker
  // may not await I/O another request started. Requests on a missing entry each read.)
  if (cached && (cached.refreshingUntil ?? 0) > now) return cached.config;
  if (cached) cached.refreshingUntil = now + REFRESH_WAIT_MS;
  const writesBefore = writes;
  try {
    const tenantId = await kv.get(kvKeys.host(hostname));
    if (tenantId === null) {
      byHost.delete(hostname);
      return null;
    }
    const text = await kv.get(kvKeys.policy(tenantId));
    const config = cached && cached.text === text && cached.config.tenantId === tenantId ? cached.config : interpretPolicy(tenantId, text, rules);
    // A write landed while KV was read: keep what the write put in the cache, not this older text.
    const adopted = byHost.get(hostname);
    if (writes !== writesBefore && adopted) return adopted.config;
    remember(hostname, { config, text, expiresAt: now + POLICY_CACHE_MS });
    return config;
  } catch (error) {
    if (cached) {
      cached.expiresAt = now + STALE_RETRY_MS;
      return cached.config;
    }
    console.error("stepgate: policy load failed", hostname, error);
    throw new ProblemError(503, "policy_unavailable", `The policy for ${hostname} could not be loaded; try again.`);
  }
}

/**
 * Makes a freshly written policy visible to this isolate at once, for every host of the tenant.
 * @example
 * await kv.put(kvKeys.policy(tenantId), text);
 * adoptPolicy(tenantId, text, Date.now(), { development: isDevelopment(env) });
 */
export function adoptPolicy(tenantId: string, text: string, now: number, rules: DestinationRules): void {
  writes++;
  const config = interpretPolicy(tenantId, text, rules);
  for (const [hostname, entry] of byHost) {
    if (entry.config.tenantId === tenantId) byHost.set(hostname, { config, text, expiresAt: now + POLICY_CACHE_MS });
  }
}

function remember(hostname: string, entry: CacheEntry): void {
  byHost.delete(hostname);
  byHost.set(hostname, entry);
  if (byHost.size > MAX_CACHED_HOSTS) {
    const oldest = byHost.keys().next().value;
    if (oldest !== undefined) byHost.delete(oldest);
  }
}
