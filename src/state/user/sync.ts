/**
 * @module
 * How a user's Durable Object keeps the tenant's object informed: its directory row when its
 * status changed, and its new audit entries. Both are sent in one batch, later, by the user's
 * object's alarm ({@link SyncAlarm}; or at once when an admin route asks), so that a
 * verification never waits on the tenant's object, which every user of the tenant shares.
 *
 * Sending twice is harmless: the directory keeps the highest `version`, and the tenant's audit
 * ignores an entry it already has (same user, same sequence number). Marking sent what was not
 * stored is not: so a batch counts as sent only by the tenant's receipt, for the right tenant.
 */
import { tenantState } from "../tenant";
import type { AuditRecord } from "../tenant/audit";
import { directoryRow } from "./identity";
import { setSetting, setting } from "./settings";

/**
 * How long new audit entries and a status change wait before they are sent to the tenant's
 * object, in one batch. The tenant-wide audit and directory lag by this. The deployment may set
 * another (`STEPGATE_SYNC_DELAY_MS`: more batching, less lag, or the other way round).
 */
export const TENANT_SYNC_DELAY_MS = 500;

/**
 * The deployment's sync delay, or {@link TENANT_SYNC_DELAY_MS}.
 * @example
 * syncDelayMs({ STEPGATE_SYNC_DELAY_MS: "2000" } as Env) // 2000
 */
export function syncDelayMs(env: Env): number {
  const ms = Number(env.STEPGATE_SYNC_DELAY_MS);
  return env.STEPGATE_SYNC_DELAY_MS && Number.isFinite(ms) && ms >= 0 ? ms : TENANT_SYNC_DELAY_MS;
}
/** How long a failed sync waits before it is tried again. */
export const SYNC_RETRY_MS = 30_000;

/** Entries sent per batch; more wait for the next alarm. */
const AUDIT_BATCH = 500;

/** The user's object whose rows are sent: its storage, and whose it is. */
export interface SyncSource {
  sql: SqlStorage;
  env: Env;
  tenantId: string;
  userId: string;
}

/**
 * Sends what the tenant has not seen yet; `true` when entries are left for another batch.
 * @example
 * if (await syncToTenant(source)) await ctx.storage.setAlarm(Date.now());
 */
export async function syncToTenant(source: SyncSource): Promise<boolean> {
  const { sql, env } = source;
  const shippedSeq = setting(sql, "audit_shipped_seq") ?? 0;
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
  const row = setting(sql, "directory_dirty") === 1 ? directoryRow(sql, source.userId) : null;
  if (!row && records.length === 0) return false;

  const tenant = tenantState(env, source.tenantId);
  // Each call names the tenant it is meant for (the tenant's object refuses another's) and
  // answers what it stored: only that is marked sent, never merely what was handed over.
  const storedVersion = row ? await tenant.updateDirectory(source.tenantId, row) : null;
  const storedUpTo = records.length > 0 ? (await tenant.appendAudit({ tenantId: source.tenantId, userId: source.userId, records })).storedUpToSeq : 0;

  // A change made while this batch was in flight stays due.
  if (row && storedVersion !== null && storedVersion >= row.version && setting(sql, "directory_version") === row.version) setSetting(sql, "directory_dirty", 0);
  const sentUpTo = Math.min(batch.at(-1)?.seq ?? 0, storedUpTo);
  if (sentUpTo > (setting(sql, "audit_shipped_seq") ?? 0)) setSetting(sql, "audit_shipped_seq", sentUpTo);
  return rows.length > AUDIT_BATCH;
}

/**
 * Marks the user's directory row changed (first seen, email, factors, lock, requirement): it
 * is sent to the tenant's object with the next batch.
 */
export function markDirectoryChanged(sql: SqlStorage): void {
  setSetting(sql, "directory_version", (setting(sql, "directory_version") ?? 0) + 1);
  setSetting(sql, "directory_dirty", 1);
}

/**
 * The alarm that sends the next batch, set once per batch. A failed send is tried again
 * {@link SYNC_RETRY_MS} later, for as long as it takes, rather than left to the runtime's few
 * automatic retries: a quiet user must still reach the directory.
 * @example
 * const alarm = new SyncAlarm(ctx.storage);
 * alarm.schedule(); // after a change; in the object's alarm(): await alarm.ring(() => syncToTenant(source))
 */
export class SyncAlarm {
  private readonly storage: DurableObjectStorage;
  /** Whether an alarm is set that will send what is due. */
  private scheduled = false;
  private readonly delayMs: number;

  constructor(storage: DurableObjectStorage, delayMs = TENANT_SYNC_DELAY_MS) {
    this.storage = storage;
    this.delayMs = delayMs;
  }

  /** Sets the alarm the sync delay from now, unless one is set already. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.storage.setAlarm(Date.now() + this.delayMs);
  }

  /** Runs `send` when the alarm rings: set again when it left entries for another batch, or failed. */
  async ring(send: () => Promise<boolean>): Promise<void> {
    this.scheduled = false;
    try {
      if (await send()) this.schedule();
    } catch (error) {
      console.error("stepgate: sync to the tenant failed; retrying", error);
      this.scheduled = true;
      await this.storage.setAlarm(Date.now() + SYNC_RETRY_MS);
    }
  }
}
