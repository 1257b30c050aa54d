/**
 * @module
 * The tenant's user directory as admins read it, through the API and the console alike: a
 * page of users (filtered, searched, sorted, by cursor) and the counts by enrolment status,
 * both judged against the tenant's re-enrolment epoch.
 */
import type { TenantConfig } from "../config/tenant-config";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { DirectoryCounts, DirectoryEntry, DirectoryQuery } from "../state/tenant/views";

export interface DirectoryPage {
  entries: DirectoryEntry[];
  /** The cursor of the next page with the same query, `null` on the last. */
  nextCursor: string | null;
}

/**
 * The tenant's re-enrolment epoch (0: none). Factors enrolled before it no longer count, even
 * for users whose own object has not dropped them yet (it does at their next visit).
 * @example
 * enrollmentEpochOf(c.var.tenant) // 1795000000000
 */
export function enrollmentEpochOf(tenant: TenantConfig): number {
  return tenant.status === "ok" ? (tenant.policy.enrollmentEpoch ?? 0) : 0;
}

/**
 * @example
 * const { entries, nextCursor } = await directoryPage(env, tenant, DirectoryQuery.parse({ status: "not_enrolled" }));
 */
export function directoryPage(env: Env, tenant: TenantConfig, query: DirectoryQuery): Promise<DirectoryPage> {
  return reachState(() => tenantState(env, tenant.tenantId).directory(query, enrollmentEpochOf(tenant)) as Promise<DirectoryPage>);
}

/**
 * @example
 * const { total, enrolled } = await directoryCounts(env, tenant);
 */
export function directoryCounts(env: Env, tenant: TenantConfig): Promise<DirectoryCounts> {
  return reachState(() => tenantState(env, tenant.tenantId).directoryCounts(enrollmentEpochOf(tenant)));
}
