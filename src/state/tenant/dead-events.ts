/**
 * @module
 * The dead letters for this tenant: messages every delivery of which failed on the event stream
 * or on the queue of alerts to users (see `flows/dead-events.ts`), each kept with the queue it
 * died on, to be listed and replayed there by an admin. A message that dies again on the same
 * queue after a replay replaces its earlier copy (same id), listed as the newest.
 *
 * Retention: as long as the audit trail's ({@link TENANT_AUDIT_DAYS} days), and at most
 * {@link DEAD_EVENTS_KEPT}, whichever is shorter.
 */
import { iso } from "../../lib/iso-time";
import { EventMessage } from "../events";
import type { DeadLetterSource } from "../queues";
import { TENANT_AUDIT_DAYS } from "./audit";
import type { DeadEvent, DeadEventsQuery } from "./views";

export const DEAD_EVENTS_KEPT = 100_000;
const DAY_MS = 86_400_000;

/**
 * Keeps messages that died on `queue` (newest last) and drops those past retention.
 * @example
 * keepDeadMessages(sql, [message], "stepgate-events", Date.now());
 */
export function keepDeadMessages(sql: SqlStorage, messages: readonly EventMessage[], queue: DeadLetterSource, now: number): void {
  for (const message of messages)
    sql.exec("INSERT OR REPLACE INTO dead_events (queue, id, message, dead_at) VALUES (?, ?, ?, ?)", queue, message.id, JSON.stringify(message), now);
  sql.exec("DELETE FROM dead_events WHERE dead_at < ?", now - TENANT_AUDIT_DAYS * DAY_MS);
  const newest = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM dead_events").one().seq ?? 0;
  if (newest > DEAD_EVENTS_KEPT) sql.exec("DELETE FROM dead_events WHERE seq <= ?", newest - DEAD_EVENTS_KEPT);
}

/** Newest first; `nextCursor` continues after the last of a full page. */
export function listDeadMessages(sql: SqlStorage, query: DeadEventsQuery): { events: DeadEvent[]; nextCursor: string | null } {
  const rows = sql
    .exec<{ seq: number; queue: DeadLetterSource; id: string; message: string; dead_at: number }>(
      "SELECT seq, queue, id, message, dead_at FROM dead_events WHERE seq < ? ORDER BY seq DESC LIMIT ?",
      query.cursor ?? Number.MAX_SAFE_INTEGER,
      query.limit,
    )
    .toArray();
  const events = rows.map((row) => ({
    id: row.id,
    queue: row.queue,
    deadAt: iso(row.dead_at),
    message: listed(EventMessage.parse(JSON.parse(row.message))),
  }));
  const last = rows.at(-1);
  return { events, nextCursor: rows.length === query.limit && last ? String(last.seq) : null };
}

/** A directory change is listed by whose and which version only: its row (email, factors) is for `users:read`. */
function listed(message: EventMessage): DeadEvent["message"] {
  if (message.kind === "event") return message;
  return { kind: "directory", id: message.id, tenantId: message.tenantId, userId: message.row.userId, version: message.row.version };
}

/** Every dead copy of the message with this id, each with the queue it died on (none: `[]`). */
export function deadMessages(sql: SqlStorage, id: string): Array<{ queue: DeadLetterSource; message: EventMessage }> {
  return sql
    .exec<{ queue: DeadLetterSource; message: string }>("SELECT queue, message FROM dead_events WHERE id = ? ORDER BY seq", id)
    .toArray()
    .map((row) => ({ queue: row.queue, message: EventMessage.parse(JSON.parse(row.message)) }));
}

/** Forgets a dead message of `queue` (it was replayed there). */
export function forgetDeadMessage(sql: SqlStorage, queue: DeadLetterSource, id: string): void {
  sql.exec("DELETE FROM dead_events WHERE queue = ? AND id = ?", queue, id);
}
