/**
 * @module
 * The dead letters for this tenant: the event stream's messages every delivery of which failed
 * (see `flows/dead-events.ts`), webhook deliveries whose endpoint failed every attempt (see
 * `flows/webhook-delivery.ts`), and security alerts that could not be sent (see
 * `flows/user-alerts.ts`), kept to be listed and replayed by an admin. A message that dies
 * again after a replay replaces its earlier copy (same id), listed as the newest.
 *
 * Retention: as long as the audit trail's ({@link TENANT_AUDIT_DAYS} days), and at most
 * {@link DEAD_EVENTS_KEPT} of each source, whichever is shorter. Each source is capped on its own:
 * a stream dead letter is the only copy of an audit entry (or directory change) the trail never
 * stored, and a dead alert may never have reached its user, while a webhook delivery is a copy of
 * an event the trail has; a webhook down for a day must not push the other two out.
 */
import * as z from "zod";
import { iso } from "../../lib/iso-time";
import { AlertDelivery } from "../alert-messages";
import { DirectoryChange, StreamEvent } from "../events";
import type { RequestOrigin } from "../user/audit";
import { WebhookDelivery } from "../webhook-messages";
import { TENANT_AUDIT_DAYS } from "./audit";
import type { TenantContext } from "./context";
import type { DeadEvent, DeadEventsQuery } from "./views";

/** A message kept as dead: the stream's (an event, a directory change), a webhook delivery, or an alert to a user. */
export const DeadLetter = z.discriminatedUnion("kind", [StreamEvent, DirectoryChange, WebhookDelivery, AlertDelivery]);
export type DeadLetter = z.infer<typeof DeadLetter>;

/** A dead letter as the tenant's object lists it; the queue it died on is named by the caller, which knows the queues. */
export type ListedDeadLetter = Omit<DeadEvent, "queue">;

/** How many dead letters of each source ({@link SOURCES}) are kept. */
export const DEAD_EVENTS_KEPT = 100_000;
const DAY_MS = 86_400_000;

/** The source each kind of dead letter counts against (the `source` column): its cap is its own. */
const SOURCES = {
  event: "stream",
  directory: "stream",
  webhook: "webhook",
  alert: "alert",
} as const satisfies Record<DeadLetter["kind"], string>;

/** The queue each kind of dead letter died on, and is replayed to. */
const REPLAY_QUEUES = {
  event: "EVENTS",
  directory: "EVENTS",
  webhook: "WEBHOOKS",
  alert: "NOTIFICATIONS",
} as const satisfies Record<DeadLetter["kind"], keyof Env>;

/**
 * Keeps dead messages (newest last) and drops those past retention: the oldest of a source past
 * its {@link DEAD_EVENTS_KEPT}, only ever of the sources just added to.
 * @example
 * keepDeadMessages(sql, [message], Date.now());
 */
export function keepDeadMessages(sql: SqlStorage, messages: readonly DeadLetter[], now: number): void {
  for (const message of messages) {
    const source = SOURCES[message.kind];
    sql.exec("INSERT OR REPLACE INTO dead_events (id, message, dead_at, source) VALUES (?, ?, ?, ?)", message.id, JSON.stringify(message), now, source);
  }
  sql.exec("DELETE FROM dead_events WHERE dead_at < ?", now - TENANT_AUDIT_DAYS * DAY_MS);
  for (const source of new Set(messages.map((message) => SOURCES[message.kind]))) {
    const oldestKept = sql
      .exec<{ seq: number }>("SELECT seq FROM dead_events WHERE source = ? ORDER BY seq DESC LIMIT 1 OFFSET ?", source, DEAD_EVENTS_KEPT - 1)
      .toArray()[0];
    if (oldestKept) sql.exec("DELETE FROM dead_events WHERE source = ? AND seq < ?", source, oldestKept.seq);
  }
}

/** Newest first; `nextCursor` continues after the last of a full page. */
export function listDeadMessages(sql: SqlStorage, query: DeadEventsQuery): { events: ListedDeadLetter[]; nextCursor: string | null } {
  const rows = sql
    .exec<{ seq: number; id: string; message: string; dead_at: number }>(
      "SELECT seq, id, message, dead_at FROM dead_events WHERE seq < ? ORDER BY seq DESC LIMIT ?",
      query.cursor ?? Number.MAX_SAFE_INTEGER,
      query.limit,
    )
    .toArray();
  const events = rows.map((row) => ({ id: row.id, deadAt: iso(row.dead_at), message: listed(DeadLetter.parse(JSON.parse(row.message))) }));
  const last = rows.at(-1);
  return { events, nextCursor: rows.length === query.limit && last ? String(last.seq) : null };
}

/** A directory change is listed by whose and which version only: its row (email, factors) is for `users:read`. */
function listed(message: DeadLetter): DeadEvent["message"] {
  if (message.kind !== "directory") return message;
  return { kind: "directory", id: message.id, tenantId: message.tenantId, userId: message.row.userId, version: message.row.version };
}

/**
 * Sends a dead message again to the queue it died on, and forgets it once the queue took it (a
 * failed send keeps it listed); audited as the admin's. `null` for an id not listed, else the message's kind.
 * @example
 * await replayDeadMessage(tenant, "u-9f3c…-42", "bootstrap", origin) // "event"
 */
export async function replayDeadMessage(tenant: TenantContext, id: string, actor: string, origin: RequestOrigin): Promise<DeadLetter["kind"] | null> {
  const row = tenant.sql.exec<{ message: string }>("SELECT message FROM dead_events WHERE id = ?", id).toArray()[0];
  if (!row) return null;
  const message = DeadLetter.parse(JSON.parse(row.message));
  await tenant.env[REPLAY_QUEUES[message.kind]].send(message, { contentType: "json" });
  tenant.sql.exec("DELETE FROM dead_events WHERE id = ?", id);
  tenant.record(Date.now(), "event.replayed", actor, origin, { eventId: id, kind: message.kind });
  return message.kind;
}
