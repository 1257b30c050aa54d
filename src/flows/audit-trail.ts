/**
 * @module
 * Reading the tenant's audit trail, as the admin API and the console both do: a page of it, or
 * every entry of a filtered range batch by batch (the exports). When the query names a user,
 * that user's newest entries are copied over first, so nothing they did a moment ago is missing.
 */
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { AuditQuery, TenantAuditEntry } from "../state/tenant/views";
import { userState } from "../state/user";
import { storeFreshUserRecords } from "./fresh-user-records";

/** What selects entries: the query less its paging. */
export type AuditFilter = Omit<AuditQuery, "cursor" | "limit">;

export interface AuditPage {
  entries: TenantAuditEntry[];
  nextCursor: string | null;
}

/**
 * A page of the trail, newest first.
 * @example
 * const page = await auditPage(c.env, tenantId, { user: "ann", limit: 50 });
 */
export async function auditPage(env: Env, tenantId: string, query: AuditQuery): Promise<AuditPage> {
  await syncNamedUser(env, tenantId, query);
  return reachState(() => tenantState(env, tenantId).audit(query) as Promise<AuditPage>);
}

/**
 * Every entry `filter` selects, newest first, `batchSize` at a time: only the batch being read
 * is held, however long the trail. The cursor is the entries' sequence, so entries written while
 * this runs (newer than the first batch) are not mixed in, and none is read twice.
 * @example
 * for await (const batch of auditBatches(env, tenantId, { type: "verify.*" }, 500)) write(batch);
 */
export async function* auditBatches(env: Env, tenantId: string, filter: AuditFilter, batchSize: number): AsyncGenerator<TenantAuditEntry[]> {
  await syncNamedUser(env, tenantId, filter);
  const tenant = tenantState(env, tenantId);
  let cursor: number | undefined;
  do {
    const query: AuditQuery = { ...filter, cursor, limit: batchSize };
    const page = await reachState(() => tenant.audit(query) as Promise<AuditPage>);
    if (page.entries.length > 0) yield page.entries;
    cursor = page.nextCursor === null ? undefined : Number(page.nextCursor);
  } while (cursor !== undefined);
}

/**
 * The named user's newest entries may not have reached the tenant's object yet (a user first
 * seen a moment ago is not even in the directory), so copy them there now.
 */
async function syncNamedUser(env: Env, tenantId: string, filter: AuditFilter): Promise<void> {
  if (filter.user !== undefined) await storeFreshUserRecords(env, tenantId, userState(env, tenantId, filter.user));
}
