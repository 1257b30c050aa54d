/**
 * @module
 * A tenant's policy by its id, read from KV, for work that no request carries: the queues'
 * consumers (the request path finds it by hostname, cached: `config/policy-cache.ts`). Read with
 * the same checks the gate makes (`interpretPolicy`), so a policy written to KV by hand that the
 * gate refuses is refused here too.
 */
import { isDevelopment } from "../config/deployment";
import { kvKeys } from "../config/kv-keys";
import { interpretPolicy, type TenantConfig } from "../config/tenant-config";

/**
 * The tenant's policy, valid or not (`status`); `null` when the tenant has none.
 * @example
 * const config = await tenantPolicy(env, "acme"); if (config?.status === "ok") config.policy.notifications;
 */
export async function tenantPolicy(env: Pick<Env, "POLICY" | "STEPGATE_ENV">, tenantId: string): Promise<TenantConfig | null> {
  const text = await env.POLICY.get(kvKeys.policy(tenantId));
  return text === null ? null : interpretPolicy(tenantId, text, { development: isDevelopment(env) });
}
