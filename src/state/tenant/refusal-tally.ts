/**
 * @module
 * Verifications refused before any code was checked — the user is locked out, or the client's
 * IP ran out of wrong answers — in the tenant's audit trail, so a brute-force attempt shows
 * there. A refused attempt costs the attacker nothing, so one entry per attempt would let them
 * flood the trail (and push real entries past its retention): instead each user (for `locked`)
 * or IP (for `ip_rate_limited`) gets one `verify.refused` entry per minute, whose `count` goes
 * up with every refusal in that minute.
 */
import { iso } from "../../lib/iso-time";
import type { RequestOrigin } from "../user/audit";
import { appendTenantAudit } from "./audit";

/** One `verify.refused` entry per user or IP per this many milliseconds (calendar minutes). */
export const REFUSAL_WINDOW_MS = 60_000;

export type RefusalReason = "locked" | "ip_rate_limited";

export interface Refused {
  reason: RefusalReason;
  /** The user refused (`locked`), or `null` when the IP is what is limited. */
  userId: string | null;
  origin: RequestOrigin;
  /** For `ip_rate_limited`: the bucket that ran out (`ip:<address>`, `ip:<IPv6 /64>`, or `user:<id>` without an address). */
  bucket?: string;
}

/**
 * This minute's entry for each user or IP, kept in the tenant's object's memory. Losing it (the
 * object was evicted) only starts a second entry for the minute: the counts still add up.
 */
export interface OpenTallies {
  windowStart: number;
  seqs: Map<string, number>;
}

export const noOpenTallies = (): OpenTallies => ({ windowStart: 0, seqs: new Map() });

/** What is counted together: the user for a lockout, the IP for the IP's limit. */
export function refusalKey(refused: Refused): string {
  return JSON.stringify(refused.reason === "locked" ? [refused.reason, refused.userId] : [refused.reason, refused.bucket ?? refused.origin.ip]);
}

/**
 * Counts a refusal into this minute's entry for its user or IP, or starts that entry.
 * @example
 * tallyRefusal(sql, open, { reason: "locked", userId: "alice", origin }, Date.now());
 */
export function tallyRefusal(sql: SqlStorage, open: OpenTallies, refused: Refused, now: number): void {
  const windowStart = now - (now % REFUSAL_WINDOW_MS);
  if (open.windowStart !== windowStart) {
    open.windowStart = windowStart;
    open.seqs.clear();
  }
  const key = refusalKey(refused);
  const seq = open.seqs.get(key);
  if (seq !== undefined) {
    const counted = sql.exec(
      "UPDATE audit SET detail = json_set(detail, '$.count', json_extract(detail, '$.count') + 1, '$.lastAt', ?) WHERE seq = ? AND type = 'verify.refused'",
      iso(now),
      seq,
    ).rowsWritten;
    if (counted > 0) return;
  }
  appendTenantAudit(
    sql,
    [
      {
        at: now,
        type: "verify.refused",
        userId: refused.userId,
        userSeq: null,
        actor: null,
        origin: refused.origin,
        detail: { reason: refused.reason, ...(refused.bucket ? { bucket: refused.bucket } : {}), count: 1, lastAt: iso(now) },
      },
    ],
    now,
  );
  // Synchronous since the insert: the newest entry is this one.
  open.seqs.set(key, sql.exec<{ seq: number }>("SELECT max(seq) AS seq FROM audit").one().seq);
}
