/**
 * @module
 * The tenant-wide audit trail in the tenant's Durable Object: every user's entries (shipped in
 * batches by their objects, see `UserState.alarm`) and the admins' own actions (keys, policy).
 *
 * Retention: {@link TENANT_AUDIT_DAYS} days, and at most {@link TENANT_AUDIT_ENTRIES_KEPT}
 * entries per tenant, whichever is shorter. Each user's object keeps its newest 1,000 too.
 */
import type { AuditQuery, TenantAuditEntry } from "./views";
import { auditEntryOf, type RequestOrigin } from "../user/audit";

export const TENANT_AUDIT_DAYS = 90;
export const TENANT_AUDIT_ENTRIES_KEPT = 200_000;
const DAY_MS = 86_400_000;

/** An entry to append: `userSeq` is its number in the user's own trail (so a resend is a no-op). */
export interface AuditRecord {
  at: number;
  type: string;
  userId: string | null;
  userSeq: number | null;
  actor: string | null;
  origin: RequestOrigin;
  detail: Record<string, unknown>;
}

/** One user's new entries, for one tenant, as their object ships them (see `tenant-sync`). */
export interface UserAuditBatch {
  tenantId: string;
  userId: string;
  records: AuditRecord[];
}

/**
 * Appends a user's batch; returns the highest of its sequence numbers now stored (0 for none).
 * Every record must be that user's, numbered: a batch that mixes users is refused whole.
 */
export function appendUserAudit(sql: SqlStorage, batch: UserAuditBatch, now: number): number {
  let upTo = 0;
  for (const r of batch.records) {
    if (r.userId !== batch.userId || r.userSeq === null) throw new Error("stepgate: an audit batch holds only its own user's numbered entries");
    upTo = Math.max(upTo, r.userSeq);
  }
  appendTenantAudit(sql, batch.records, now);
  return upTo;
}

export function appendTenantAudit(sql: SqlStorage, records: AuditRecord[], now: number): void {
  for (const r of records) {
    sql.exec(
      "INSERT OR IGNORE INTO audit (at, user_id, user_seq, type, actor, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      r.at,
      r.userId,
      r.userSeq,
      r.type,
      r.actor,
      r.origin.ip,
      r.origin.userAgent,
      JSON.stringify(r.detail),
    );
  }
  sql.exec("DELETE FROM audit WHERE at < ?", now - TENANT_AUDIT_DAYS * DAY_MS);
  const newest = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM audit").one().seq ?? 0;
  if (newest > TENANT_AUDIT_ENTRIES_KEPT) sql.exec("DELETE FROM audit WHERE seq <= ?", newest - TENANT_AUDIT_ENTRIES_KEPT);
}

/** Newest first, filtered; `nextCursor` continues after the last entry of a full page. */
export function queryTenantAudit(sql: SqlStorage, query: AuditQuery): { entries: TenantAuditEntry[]; nextCursor: string | null } {
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
