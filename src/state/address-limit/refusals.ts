/**
 * @module
 * Verifications refused because a client network ran out of wrong answers, for the tenant's
 * audit trail, so a credential-stuffing run shows there: one `verify.refused` entry per bucket
 * and minute (`REFUSAL_WINDOW_MS`), whose `count` goes up with every refusal in that minute.
 * Kept in the address-limit object until its minute is over, then published to the event
 * stream (the tenant's object stores it from there, as it does every user's entries) and
 * forgotten: the entry is final when published, and the object holds nothing for long.
 *
 * The entry's stream id is `t-<this object's id>-<number>` (a tenant-wide entry, as when the
 * tenant's object counted these): `number` is the minute's index × 1,000 plus the entry's place
 * among that minute's entries here (at most 256 buckets share an object). Not a sequence: the
 * object deletes its storage when idle, and a sequence would start again and repeat ids the
 * consumers already dedupe.
 */
import { iso } from "../../lib/iso-time";
import { auditEventId, publish, publishedDetail, type StreamEvent } from "../events";
import { REFUSAL_WINDOW_MS } from "../refusal-window";
import type { RequestOrigin } from "../user/audit";

/** Entries per minute an object may number apart (256 buckets at most share one). */
const ENTRIES_PER_MINUTE = 1_000;

/** The address-limit object whose entries are published: its storage, whose it is, and its id. */
export interface RefusalSource {
  sql: SqlStorage;
  tenantId: string;
  /** The object's id (hex): the source part of its entries' ids. */
  objectId: string;
}

type Row = {
  window_start: number;
  bucket: string;
  number: number;
  count: number;
  first_at: number;
  last_at: number;
  ip: string | null;
  user_agent: string | null;
  city: string | null;
  country: string | null;
};

/**
 * Counts a refusal into this minute's entry for `bucket`, or starts that entry with the refused
 * request's origin. Answers when the entry is due on the stream: the end of its minute.
 * @example
 * scheduleBy(tallyRefusal(sql, "ip:203.0.113.7", origin, Date.now()));
 */
export function tallyRefusal(sql: SqlStorage, bucket: string, origin: RequestOrigin, now: number): number {
  const windowStart = now - (now % REFUSAL_WINDOW_MS);
  const counted = sql
    .exec("UPDATE refusals SET count = count + 1, last_at = ? WHERE window_start = ? AND bucket = ? RETURNING number", now, windowStart, bucket)
    .toArray();
  if (counted.length === 0) {
    const place = sql.exec<{ n: number }>("SELECT count(*) AS n FROM refusals WHERE window_start = ?", windowStart).one().n + 1;
    sql.exec(
      "INSERT INTO refusals (window_start, bucket, number, count, first_at, last_at, ip, user_agent, city, country) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
      windowStart,
      bucket,
      (windowStart / REFUSAL_WINDOW_MS) * ENTRIES_PER_MINUTE + place,
      now,
      now,
      origin.ip,
      origin.userAgent,
      origin.city ?? null,
      origin.country ?? null,
    );
  }
  return windowStart + REFUSAL_WINDOW_MS;
}

/**
 * The entries whose minute is over, as the stream's events, oldest first.
 * @example
 * dueRefusals(source, Date.now()).map((event) => event.detail.count)
 */
export function dueRefusals(from: RefusalSource, now: number): StreamEvent[] {
  return from.sql
    .exec<Row>("SELECT * FROM refusals WHERE window_start <= ? ORDER BY window_start, number", now - REFUSAL_WINDOW_MS)
    .toArray()
    .map((row) => refusalEvent(from, row));
}

function refusalEvent(from: RefusalSource, row: Row): StreamEvent {
  return {
    kind: "event",
    id: auditEventId({ object: "tenant", objectId: from.objectId }, row.number),
    tenantId: from.tenantId,
    type: "verify.refused",
    at: iso(row.first_at),
    userId: null,
    actor: null,
    ip: row.ip,
    userAgent: row.user_agent,
    city: row.city,
    country: row.country,
    detail: publishedDetail({ reason: "ip_rate_limited", bucket: row.bucket, count: row.count, lastAt: iso(row.last_at) }),
  };
}

/**
 * Publishes the entries whose minute is over, then forgets them (only once the queue took them
 * all: a failed publish leaves them due, to be sent again with the same ids).
 * @example
 * await publishDueRefusals(source, env.EVENTS, Date.now());
 */
export async function publishDueRefusals(from: RefusalSource, queue: Queue, now: number): Promise<void> {
  const events = dueRefusals(from, now);
  if (events.length === 0) return;
  await publish(queue, events);
  // Refusals counted meanwhile went into the current minute's entries, which are not these.
  from.sql.exec("DELETE FROM refusals WHERE window_start <= ?", now - REFUSAL_WINDOW_MS);
}

/** When the next entry still counting is due on the stream (`null`: none). */
export function refusalsDueAt(sql: SqlStorage, now: number): number | null {
  const start = sql.exec<{ at: number | null }>("SELECT min(window_start) AS at FROM refusals WHERE window_start > ?", now - REFUSAL_WINDOW_MS).one().at;
  return start === null ? null : start + REFUSAL_WINDOW_MS;
}
