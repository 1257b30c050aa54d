/**
 * @module
 * A user's object's outbox to the event stream: its new audit entries, and its directory row
 * when its status changed, published to the `EVENTS` queue by the object's alarm (see
 * `PublishAlarm`), so that a verification never waits on anything but this object.
 *
 * The audit table is the outbox: entries after the `audit_shipped_seq` mark are unpublished,
 * and the mark moves only once `sendBatch` resolved. A publish that fails or is cut short
 * leaves them due, and they are published again with the same ids (consumers dedupe by id).
 */
import {
  auditEventId,
  directoryEventId,
  type EventMessage,
  type EventSource,
  publish,
  publishedDetail,
  SEND_BATCH_MESSAGES,
  type StreamEvent,
} from "../events";
import { iso } from "../../lib/iso-time";
import { directoryRow } from "./identity";
import { setSetting, setting } from "./settings";

/** The user's object whose records are published: its storage, and whose it is. */
export interface PublishSource {
  sql: SqlStorage;
  tenantId: string;
  userId: string;
  /** This object's id (hex): the source part of its messages' ids. */
  objectId: string;
}

/** Unpublished records, as messages, and how far they reach. */
export interface Pending {
  messages: EventMessage[];
  /** The last audit sequence number among them (0: none). */
  upToSeq: number;
  /** The directory version among them (`null`: the row is not due). */
  directoryVersion: number | null;
  /** Whether entries beyond `limit` are left for another batch. */
  more: boolean;
}

type AuditTableRow = {
  seq: number;
  at: number;
  type: string;
  ip: string | null;
  user_agent: string | null;
  detail: string;
  city: string | null;
  country: string | null;
};

/**
 * The oldest unpublished records, at most `limit` audit entries, and the directory row when it
 * changed; `null` when nothing is due.
 * @example
 * const pending = pendingMessages(source, 100);
 */
export function pendingMessages(source: PublishSource, limit: number): Pending | null {
  const { sql } = source;
  const rows = sql
    .exec<AuditTableRow>(
      "SELECT seq, at, type, ip, user_agent, detail, city, country FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
      setting(sql, "audit_shipped_seq") ?? 0,
      limit + 1,
    )
    .toArray();
  const entries = rows.slice(0, limit);
  const row = setting(sql, "directory_dirty") === 1 ? directoryRow(sql, source.userId) : null;
  if (!row && entries.length === 0) return null;
  const from: EventSource = { object: "user", objectId: source.objectId };
  const messages: EventMessage[] = entries.map((entry) => auditEvent(source, from, entry));
  if (row) messages.push({ kind: "directory", id: directoryEventId(source.objectId, row.version), tenantId: source.tenantId, row });
  return { messages, upToSeq: entries.at(-1)?.seq ?? 0, directoryVersion: row?.version ?? null, more: rows.length > limit };
}

function auditEvent(source: PublishSource, from: EventSource, row: AuditTableRow): StreamEvent {
  const detail = JSON.parse(row.detail) as Record<string, unknown>;
  return {
    kind: "event",
    id: auditEventId(from, row.seq),
    tenantId: source.tenantId,
    type: row.type,
    at: iso(row.at),
    userId: source.userId,
    // An admin's action on the user is recorded by the user's object with the admin as `actor`.
    actor: typeof detail.actor === "string" && detail.actor !== "user" ? detail.actor : null,
    ip: row.ip,
    userAgent: row.user_agent,
    city: row.city,
    country: row.country,
    detail: publishedDetail(detail),
  };
}

/**
 * Publishes the next batch (at most one `sendBatch`'s worth) and marks it published once the
 * queue took it; `true` when more is left for another batch. `picked` runs before anything is
 * sent: the entries it is given can no longer change (see `locked-refusals`).
 * @example
 * if (await publishPending(source, env.EVENTS)) alarm.schedule();
 */
export async function publishPending(source: PublishSource, queue: Queue, picked: (upToSeq: number) => void = () => {}): Promise<boolean> {
  const pending = pendingMessages(source, SEND_BATCH_MESSAGES - 1);
  if (!pending) return false;
  picked(pending.upToSeq);
  await publish(queue, pending.messages);
  markPublished(source.sql, pending);
  return pending.more;
}

/** Moves the marks past what the queue took. A change made while it was in flight stays due. */
function markPublished(sql: SqlStorage, pending: Pending): void {
  if (pending.directoryVersion !== null && setting(sql, "directory_version") === pending.directoryVersion) setSetting(sql, "directory_dirty", 0);
  if (pending.upToSeq > (setting(sql, "audit_shipped_seq") ?? 0)) setSetting(sql, "audit_shipped_seq", pending.upToSeq);
}

/**
 * Marks the user's directory row changed (first seen, email, factors, lock, requirement): it
 * is published with the next batch.
 */
export function markDirectoryChanged(sql: SqlStorage): void {
  setSetting(sql, "directory_version", (setting(sql, "directory_version") ?? 0) + 1);
  setSetting(sql, "directory_dirty", 1);
}
