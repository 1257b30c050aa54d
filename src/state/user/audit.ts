/**
 * @module
 * The per-user audit trail in the user's Durable Object: what happened, when, from which IP,
 * user agent and place. Retention: the newest {@link AUDIT_ENTRIES_KEPT} entries per user.
 */
import * as z from "zod";
import { iso } from "../../lib/iso-time";

/** Where a request came from, as recorded in the audit trail. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
  /** The city Cloudflare placed the client in (`request.cf.city`), when it did. */
  city?: string | null;
  /** Its country, as an ISO 3166-1 alpha-2 code (`request.cf.country`), when it did. */
  country?: string | null;
  /** Its network, the autonomous system number (`request.cf.asn`), when Cloudflare named one: with the country, the user's "place" (`places.ts`). */
  asn?: number | null;
}

const CITY_MAX_CHARS = 100;
/** A real country: `XX` (unknown) and `T1` (Tor) are Cloudflare's codes for none. */
const COUNTRY_CODE = /^[A-Z]{2}$/;

/**
 * The client's address, user agent and place, for the audit trail.
 * @example
 * requestOrigin(c.req.raw) // { ip: "203.0.113.9", userAgent: "Mozilla/5.0 …", city: "Berlin", country: "DE", asn: 3320 }
 */
export function requestOrigin(request: Request): RequestOrigin {
  const cf = request.cf as { city?: unknown; country?: unknown; asn?: unknown } | undefined;
  const city = typeof cf?.city === "string" && cf.city !== "" ? cf.city.slice(0, CITY_MAX_CHARS) : null;
  const country = typeof cf?.country === "string" && COUNTRY_CODE.test(cf.country) && cf.country !== "XX" ? cf.country : null;
  // An ASN is a 32-bit number; 0 is reserved (none).
  const asn = typeof cf?.asn === "number" && Number.isInteger(cf.asn) && cf.asn > 0 && cf.asn < 2 ** 32 ? cf.asn : null;
  return { ip: request.headers.get("CF-Connecting-IP"), userAgent: request.headers.get("User-Agent"), city, country, asn };
}

/** One entry of an audit trail, as the user's and the tenant's share it. */
export const AuditRow = z.object({
  seq: z.number(),
  at: z.string(),
  type: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditRow = z.infer<typeof AuditRow>;

/** One entry of a user's audit trail (and, as `ActivityEntry`, of the API's activity listings). */
export const AuditEntry = AuditRow.extend({
  city: z.string().nullable().describe("The city the request came from, as Cloudflare placed it; null when unknown."),
  country: z.string().nullable().describe("Its country (ISO 3166-1 alpha-2); null when unknown."),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AUDIT_ENTRIES_KEPT = 1_000;
const USER_AGENT_MAX_CHARS = 256;

/**
 * Appends one entry and drops the oldest past the retention bound; returns the entry's sequence number.
 * @example
 * recordAudit(sql, Date.now(), "verify.failed", origin, { factor: "totp" });
 */
export function recordAudit(sql: SqlStorage, now: number, type: string, origin: RequestOrigin, detail: Record<string, unknown>): number {
  const userAgent = origin.userAgent ? origin.userAgent.slice(0, USER_AGENT_MAX_CHARS) : null;
  const { seq } = sql
    .exec<{ seq: number }>(
      "INSERT INTO audit (at, type, ip, user_agent, detail, city, country) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
      now,
      type,
      origin.ip,
      userAgent,
      JSON.stringify(detail),
      origin.city ?? null,
      origin.country ?? null,
    )
    .one();
  if (seq > AUDIT_ENTRIES_KEPT) sql.exec("DELETE FROM audit WHERE seq <= ?", seq - AUDIT_ENTRIES_KEPT);
  return seq;
}

/** The entries a user sees as their sign-in activity. */
export const SIGN_IN_ACTIVITY_TYPES = [
  "verify.ok",
  "verify.failed",
  "login.trusted_device",
  "lockout.started",
  "lockout.escalated",
  "signin.new_location",
  "factor.enrolled",
  "factor.removed",
  "factor.replaced",
  "factor.renamed",
  "device.trusted",
  "device.revoked",
  "user.reset",
] as const;

/** Newest first, `limit` entries older than `beforeSeq` (all when `null`). */
export function listAudit(sql: SqlStorage, limit: number, beforeSeq: number | null, types?: readonly string[]): AuditEntry[] {
  const ofTypes = types ? `AND type IN (${types.map(() => "?").join(", ")})` : "";
  return sql
    .exec<{ seq: number; at: number; type: string; ip: string | null; user_agent: string | null; detail: string; city: string | null; country: string | null }>(
      `SELECT seq, at, type, ip, user_agent, detail, city, country FROM audit WHERE seq < ? ${ofTypes} ORDER BY seq DESC LIMIT ?`,
      beforeSeq ?? Number.MAX_SAFE_INTEGER,
      ...(types ?? []),
      limit,
    )
    .toArray()
    .map((row) => ({ ...auditEntryOf(row), city: row.city, country: row.country }));
}

/** An audit table row (the user's trail and the tenant's share these columns) as an entry. */
export function auditEntryOf(row: { seq: number; at: number; type: string; ip: string | null; user_agent: string | null; detail: string }): AuditRow {
  return {
    seq: row.seq,
    at: iso(row.at),
    type: row.type,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
