/**
 * @module
 * Verifications refused because the client's IP ran out of wrong answers (counted here, across
 * the tenant's users), in the tenant's audit trail, so a credential-stuffing run shows there. A
 * refused attempt costs the attacker nothing, so one entry per attempt would let them flood the
 * trail (and push real entries past its retention): instead each IP gets one `verify.refused`
 * entry per minute, whose `count` goes up with every refusal in that minute. (A locked-out
 * user's refusals are counted the same way in their own object: `user/locked-refusals.ts`.)
 *
 * An entry is published to the event stream when its minute is over, and counted into only
 * until its batch is picked: a message published again must say the same.
 */
import { iso } from "../../lib/iso-time";
import type { EventSource } from "../events";
import type { RequestOrigin } from "../user/audit";
import { recordTenantEntry } from "./audit";

/** One `verify.refused` entry per user or IP per this many milliseconds (calendar minutes). */
export const REFUSAL_WINDOW_MS = 60_000;

export interface Refused {
  origin: RequestOrigin;
  /** The bucket that ran out (`ip:<address>`, `ip:<IPv6 /64>`, or `user:<id>` without an address). */
  bucket?: string;
}

/**
 * This minute's entry for each IP, kept in the tenant's object's memory. Losing it (the object
 * was evicted) only starts a second entry for the minute: the counts still add up.
 */
export interface OpenTallies {
  windowStart: number;
  seqs: Map<string, number>;
}

export const noOpenTallies = (): OpenTallies => ({ windowStart: 0, seqs: new Map() });

/**
 * Counts a refusal into this minute's entry for its IP, or starts that entry. Answers when the
 * entry is due on the stream: the end of its minute.
 * @example
 * publishAlarm.schedule(tallyRefusal(sql, source, open, { origin, bucket: "ip:203.0.113.7" }, Date.now()));
 */
export function tallyRefusal(sql: SqlStorage, source: EventSource, open: OpenTallies, refused: Refused, now: number): number {
  const windowStart = now - (now % REFUSAL_WINDOW_MS);
  const dueAt = windowStart + REFUSAL_WINDOW_MS;
  if (open.windowStart !== windowStart) {
    open.windowStart = windowStart;
    open.seqs.clear();
  }
  const key = refused.bucket ?? refused.origin.ip ?? "";
  const seq = open.seqs.get(key);
  if (seq !== undefined) {
    const counted = sql.exec(
      "UPDATE audit SET detail = json_set(detail, '$.count', json_extract(detail, '$.count') + 1, '$.lastAt', ?) WHERE seq = ? AND type = 'verify.refused'",
      iso(now),
      seq,
    ).rowsWritten;
    if (counted > 0) return dueAt;
  }
  const detail = { reason: "ip_rate_limited", ...(refused.bucket ? { bucket: refused.bucket } : {}), count: 1, lastAt: iso(now) };
  const entry = { at: now, type: "verify.refused", userId: null, actor: null, origin: refused.origin, detail };
  open.seqs.set(key, recordTenantEntry(sql, source, entry, now, dueAt));
  return dueAt;
}

/**
 * Stops counting into the entries picked for the stream (see the module note).
 * @example
 * closeTallies(open, [41, 42]);
 */
export function closeTallies(open: OpenTallies, picked: readonly number[]): void {
  const seqs = new Set(picked);
  for (const [key, seq] of open.seqs) if (seqs.has(seq)) open.seqs.delete(key);
}
