/**
 * @module
 * How a user's Durable Object keeps the tenant's object informed: its directory row when its
 * status changed, and its new audit entries. Both are sent in one batch, later, by the user's
 * object's alarm (or at once when an admin route asks), so that a verification never waits on
 * the tenant's object, which every user of the tenant shares.
 *
 * Sending twice is harmless: the directory keeps the highest `version`, and the tenant's audit
 * ignores an entry it already has (same user, same sequence number). Marking sent what was not
 * stored is not: so a batch counts as sent only by the tenant's receipt, for the right tenant.
 */
import type { DirectoryRow } from "../tenant/directory";
import { tenantState } from "../tenant";
import type { AuditRecord } from "../tenant/audit";

/**
 * How long new audit entries and a status change wait before they are sent to the tenant's
 * object, in one batch. The tenant-wide audit and directory lag by this.
 */
export const TENANT_SYNC_DELAY_MS = 500;
/** How long a failed sync waits before it is tried again. */
export const SYNC_RETRY_MS = 30_000;

/** Entries sent per batch; more wait for the next alarm. */
const AUDIT_BATCH = 500;

/** The user's object's settings and rows this module reads and writes. */
export interface SyncSource {
  sql: SqlStorage;
  env: Env;
  tenantId: string;
  userId: string;
  setting(name: string): number | null;
  setSetting(name: string, value: number | null): void;
  directoryRow(): DirectoryRow | null;
}

/**
 * Sends what the tenant has not seen yet; `true` when entries are left for another batch.
 * @example
 * if (await syncToTenant(source)) await ctx.storage.setAlarm(Date.now());
 */
export async function syncToTenant(source: SyncSource): Promise<boolean> {
  const { sql, env } = source;
  const shippedSeq = source.setting("audit_shipped_seq") ?? 0;
  const rows = sql
    .exec<{ seq: number; at: number; type: string; ip: string | null; user_agent: string | null; detail: string }>(
      "SELECT seq, at, type, ip, user_agent, detail FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
      shippedSeq,
      AUDIT_BATCH + 1,
    )
    .toArray();
  const batch = rows.slice(0, AUDIT_BATCH);
  const records: AuditRecord[] = batch.map((row) => {
    const detail = JSON.parse(row.detail) as Record<string, unknown>;
    return {
      at: row.at,
      type: row.type,
      userId: source.userId,
      userSeq: row.seq,
      actor: typeof detail.actor === "string" && detail.actor !== "user" ? detail.actor : null,
      origin: { ip: row.ip, userAgent: row.user_agent },
      detail,
    };
  });
  const row = source.setting("directory_dirty") === 1 ? source.directoryRow() : null;
  if (!row && records.length === 0) return false;

  const tenant = tenantState(env, source.tenantId);
  // Each call names the tenant it is meant for (the tenant's object refuses another's) and
  // answers what it stored: only that is marked sent, never merely what was handed over.
  const storedVersion = row ? await tenant.updateDirectory(source.tenantId, row) : null;
  const storedUpTo = records.length > 0 ? (await tenant.appendAudit({ tenantId: source.tenantId, userId: source.userId, records })).storedUpToSeq : 0;

  // A change made while this batch was in flight stays due.
  if (row && storedVersion !== null && storedVersion >= row.version && source.setting("directory_version") === row.version)
    source.setSetting("directory_dirty", 0);
  const sentUpTo = Math.min(batch.at(-1)?.seq ?? 0, storedUpTo);
  if (sentUpTo > (source.setting("audit_shipped_seq") ?? 0)) source.setSetting("audit_shipped_seq", sentUpTo);
  return rows.length > AUDIT_BATCH;
}
