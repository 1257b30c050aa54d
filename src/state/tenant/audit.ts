/**
 * @module
 * The tenant-wide audit trail in the tenant's Durable Object: every user's entries (from the
 * event stream, see `flows/event-stream.ts`) and the entries this object records itself (admin
 * actions on keys, policy and the console), which it publishes to the stream too.
 *
 * Retention: {@link TENANT_AUDIT_DAYS} days, and at most {@link TENANT_AUDIT_ENTRIES_KEPT}
 * entries per tenant, whichever is shorter. Each user's object keeps its newest 1,000 too.
 */
import type { AuditQuery, TenantAuditEntry } from "./views";
import { auditEventId, type EventSource, type StreamEvent } from "../events";
import { auditEntryOf, type RequestOrigin } from "../user/audit";

export const TENANT_AUDIT_DAYS = 90;
export const TENANT_AUDIT_ENTRIES_KEPT = 200_000;
const DAY_MS = 86_400_000;

/** An entry the tenant's object records itself. */
export interface TenantRecord {
  at: number;
  type: string;
  /** The user it concerns (a refusal of a locked-out user), or `null`. */
  userId: string | null;
  actor: string | null;
  origin: RequestOrigin;
  detail: Record<string, unknown>;
}

/**
 * Records one of the object's own entries, and queues it for the stream. Returns its sequence
 * number, which its stream id is made of.
 * @example
 * recordTenantEntry(sql, source, { at: now, type: "key.created", userId: null, actor, origin, detail }, now);
 */
export function recordTenantEntry(sql: SqlStorage, source: EventSource, record: TenantRecord, now: number): number {
  const { seq } = sql
    .exec<{ seq: number }>(
      "INSERT INTO audit (at, user_id, type, actor, ip, user_agent, city, country, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
      record.at,
      record.userId,
      record.type,
      record.actor,
      record.origin.ip,
      record.origin.userAgent,
      record.origin.city ?? null,
      record.origin.country ?? null,
      JSON.stringify(record.detail),
    )
    .one();
  // Synchronous since the insert: the stream's copy of this entry, when it comes back, is this row.
  sql.exec("UPDATE audit SET event_id = ? WHERE seq = ?", auditEventId(source, seq), seq);
  sql.exec("INSERT INTO events_unpublished (seq, publish_at) VALUES (?, ?)", seq, now);
  pruneAudit(sql, now);
  return seq;
}

/**
 * Stores an event from the stream unless an entry with its id is there already (a message
 * delivered again, or one this object recorded itself); `true` when it was new.
 * @example
 * storeStreamEvent(sql, event) // false the second time
 */
export function storeStreamEvent(sql: SqlStorage, event: StreamEvent): boolean {
  // RETURNING answers the row only when it was inserted (`rowsWritten` counts index writes too).
  return (
    sql
      .exec(
        "INSERT OR IGNORE INTO audit (event_id, at, user_id, type, actor, ip, user_agent, city, country, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        event.id,
        Date.parse(event.at),
        event.userId,
        event.type,
        event.actor,
        event.ip,
        event.userAgent,
        event.city,
        event.country,
        JSON.stringify(event.detail),
      )
      .toArray().length > 0
  );
}

/** Drops entries past the retention bounds (and their places in the outbox). */
export function pruneAudit(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM audit WHERE at < ?", now - TENANT_AUDIT_DAYS * DAY_MS);
  const newest = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM audit").one().seq ?? 0;
  if (newest > TENANT_AUDIT_ENTRIES_KEPT) sql.exec("DELETE FROM audit WHERE seq <= ?", newest - TENANT_AUDIT_ENTRIES_KEPT);
  sql.exec("DELETE FROM events_unpublished WHERE seq NOT IN (SELECT seq FROM audit)");
}

/** Newest first, filtered; `nextCursor` continues after the last entry of a full page. */
export function queryTenantAudit(sql: SqlStorage, query: AuditQuery, now: number): { entries: TenantAuditEntry[]; nextCursor: string | null } {
  // Retention holds for a quiet tenant too, not only when something new is stored.
  pruneAudit(sql, now);
  const where = ["seq < ?"];
  const args: Array<string | number> = [query.cursor ?? Number.MAX_SAFE_INTEGER];
  /** One more condition and its values. */
  const and = (clause: string, ...values: Array<string | number>) => {
    where.push(clause);
    args.push(...values);
  };
  if (query.user !== undefined) and("user_id = ?", query.user);
  if (query.type?.endsWith("*")) and("substr(type, 1, ?) = ?", query.type.length - 1, query.type.slice(0, -1));
  else if (query.type) and("type = ?", query.type);
  if (query.since) and("at >= ?", Date.parse(query.since));
  if (query.until) and("at < ?", Date.parse(query.until));
  const entries = sql
    .exec<{
      seq: number;
      at: number;
      user_id: string | null;
      type: string;
      actor: string | null;
      ip: string | null;
      user_agent: string | null;
      detail: string;
    }>(`SELECT seq, at, user_id, type, actor, ip, user_agent, detail FROM audit WHERE ${where.join(" AND ")} ORDER BY seq DESC LIMIT ?`, ...args, query.limit)
    .toArray()
    .map((row) => ({ ...auditEntryOf(row), user: row.user_id, actor: row.actor }));
  const last = entries.at(-1);
  return { entries, nextCursor: entries.length === query.limit && last ? String(last.seq) : null };
}
