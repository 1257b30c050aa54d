/**
 * @module
 * The tenant's object's outbox to the event stream: the audit entries it recorded itself
 * (`events_unpublished`), published by its alarm once due and forgotten only once
 * `sendBatch` resolved. Built from the audit row when published. An entry may be held until its
 * `publish_at`: none is any more, but refusal tallies recorded here before they moved to the
 * address-limit objects were held until the end of their minute.
 */
import { iso } from "../../lib/iso-time";
import { auditEventId, type EventSource, publish, publishedDetail, SEND_BATCH_MESSAGES, type StreamEvent } from "../events";

/** The tenant's object whose entries are published: its storage, whose it is, and its id. */
export interface TenantPublishSource {
  sql: SqlStorage;
  tenantId: string;
  source: EventSource;
}

type Row = {
  seq: number;
  at: number;
  user_id: string | null;
  type: string;
  actor: string | null;
  ip: string | null;
  user_agent: string | null;
  city: string | null;
  country: string | null;
  detail: string;
};

/**
 * The due entries, oldest first (at most `limit`), as the stream's events with their sequence
 * numbers, and when the next held one is due (`null`: none held).
 * @example
 * const { events, seqs, more, nextAt } = dueTenantEvents(source, Date.now(), 100);
 */
export function dueTenantEvents(
  from: TenantPublishSource,
  now: number,
  limit: number,
): { events: StreamEvent[]; seqs: number[]; more: boolean; nextAt: number | null } {
  const rows = from.sql
    .exec<Row>(
      `SELECT a.seq, a.at, a.user_id, a.type, a.actor, a.ip, a.user_agent, a.city, a.country, a.detail
       FROM events_unpublished u JOIN audit a ON a.seq = u.seq WHERE u.publish_at <= ? ORDER BY u.seq LIMIT ?`,
      now,
      limit + 1,
    )
    .toArray();
  const due = rows.slice(0, limit);
  const held = from.sql.exec<{ at: number | null }>("SELECT min(publish_at) AS at FROM events_unpublished WHERE publish_at > ?", now).one().at;
  return { events: due.map((row) => tenantEvent(from, row)), seqs: due.map((row) => row.seq), more: rows.length > limit, nextAt: held };
}

function tenantEvent(from: TenantPublishSource, row: Row): StreamEvent {
  return {
    kind: "event",
    id: auditEventId(from.source, row.seq),
    tenantId: from.tenantId,
    type: row.type,
    at: iso(row.at),
    userId: row.user_id,
    actor: row.actor,
    ip: row.ip,
    userAgent: row.user_agent,
    city: row.city,
    country: row.country,
    detail: publishedDetail(JSON.parse(row.detail) as Record<string, unknown>),
  };
}

/**
 * Publishes the next due batch, then forgets it. Answers `true` when more are due, the time the
 * next held entry is due, or `false`.
 * @example
 * await alarm.ring(() => publishTenantEvents(source, env.EVENTS, Date.now()));
 */
export async function publishTenantEvents(from: TenantPublishSource, queue: Queue, now: number): Promise<boolean | number> {
  const { events, seqs, more, nextAt } = dueTenantEvents(from, now, SEND_BATCH_MESSAGES);
  if (events.length > 0) {
    await publish(queue, events);
    from.sql.exec("DELETE FROM events_unpublished WHERE seq IN (SELECT value FROM json_each(?))", JSON.stringify(seqs));
  }
  return more || (nextAt ?? false);
}
