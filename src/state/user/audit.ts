/**
 * @module
 * The per-user audit trail in the user's Durable Object: what happened, when, from which IP
 * and user agent. Retention: the newest {@link AUDIT_ENTRIES_KEPT} entries per user.
 */
import * as z from "zod";
import { iso } from "../../lib/iso-time";

/** Where a request came from, as recorded in the audit trail. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** The client's address and user agent, for the audit trail. */
export function requestOrigin(request: Request): RequestOrigin {
  return { ip: request.headers.get("CF-Connecting-IP"), userAgent: request.headers.get("User-Agent") };
}

/** One entry of a user's audit trail (and, as `ActivityEntry`, of the API's activity listings). */
export const AuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  type: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AUDIT_ENTRIES_KEPT = 1_000;
const USER_AGENT_MAX_CHARS = 256;

/**
 * Appends one entry and drops the oldest past the retention bound.
 * @example
 * recordAudit(sql, Date.now(), "verify.failed", origin, { factor: "totp" });
 */
export function recordAudit(sql: SqlStorage, now: number, type: string, origin: RequestOrigin, detail: Record<string, unknown>): void {
  const userAgent = origin.userAgent ? origin.userAgent.slice(0, USER_AGENT_MAX_CHARS) : null;
  const { seq } = sql
    .exec<{ seq: number }>(
      "INSERT INTO audit (at, type, ip, user_agent, detail) VALUES (?, ?, ?, ?, ?) RETURNING seq",
      now,
      type,
      origin.ip,
      userAgent,
      JSON.stringify(detail),
    )
    .one();
  if (seq > AUDIT_ENTRIES_KEPT) sql.exec("DELETE FROM audit WHERE seq <= ?", seq - AUDIT_ENTRIES_KEPT);
}

/** The entries a user sees as their sign-in activity. */
export const SIGN_IN_ACTIVITY_TYPES = [
  "verify.ok",
  "verify.failed",
  "login.trusted_device",
  "lockout.started",
  "factor.enrolled",
  "factor.removed",
  "device.trusted",
  "device.revoked",
  "user.reset",
] as const;

/** Newest first, `limit` entries older than `beforeSeq` (all when `null`). */
export function listAudit(sql: SqlStorage, limit: number, beforeSeq: number | null, types?: readonly string[]): AuditEntry[] {
  const ofTypes = types ? `AND type IN (${types.map(() => "?").join(", ")})` : "";
  return sql
    .exec<{ seq: number; at: number; type: string; ip: string | null; user_agent: string | null; detail: string }>(
      `SELECT seq, at, type, ip, user_agent, detail FROM audit WHERE seq < ? ${ofTypes} ORDER BY seq DESC LIMIT ?`,
      beforeSeq ?? Number.MAX_SAFE_INTEGER,
      ...(types ?? []),
      limit,
    )
    .toArray()
    .map(auditEntryOf);
}

/** An audit table row (the user's trail and the tenant's share these columns) as an entry. */
export function auditEntryOf(row: { seq: number; at: number; type: string; ip: string | null; user_agent: string | null; detail: string }): AuditEntry {
  return {
    seq: row.seq,
    at: iso(row.at),
    type: row.type,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
