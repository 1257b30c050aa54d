/**
 * @module
 * The event stream's one message shape (docs/events.md), declared once: what a user's or a
 * tenant's object publishes to the `EVENTS` queue from its outbox, what every consumer reads,
 * and what the dead-letter list keeps. Two kinds: an audit `event` (something happened) and a
 * `directory` change (a user's row for the tenant's directory, newest version wins).
 *
 * Delivery is at least once: a message may arrive twice, late, or out of order. Its `id` is
 * derived from where it was recorded (the object and its own sequence number), never drawn at
 * random, so a message published again carries the same id and every consumer dedupes by it.
 */
import * as z from "zod";

/** `u-` user audit entry, `t-` tenant audit entry, `d-` directory version: `<kind>-<object id>-<number>`. */
const MESSAGE_ID = /^[utd]-[0-9a-f]{1,64}-\d{1,16}$/;

export const MessageId = z.string().regex(MESSAGE_ID).describe("The message's stable id: the same record published again has the same id.");

export const StreamEvent = z.object({
  kind: z.literal("event"),
  id: MessageId,
  tenantId: z.string().min(1),
  type: z.string().min(1).describe("The audit entry's type, e.g. `verify.failed`, `factor.enrolled`, `key.created`."),
  at: z.iso.datetime().describe("When it happened (not when it was delivered)."),
  userId: z.string().nullable().describe("The user it concerns; null for a tenant-wide event (keys, policy, console)."),
  actor: z.string().nullable().describe("Who acted: `bootstrap`, `key:<id>`, `user:<userId>` (a portal admin), `kv`, or null for the user themself."),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable().describe("ISO 3166-1 alpha-2, as Cloudflare placed the request; null when unknown."),
  detail: z.record(z.string(), z.unknown()),
});
export type StreamEvent = z.infer<typeof StreamEvent>;

/** What a user's object publishes about itself (a `directory` message on the event stream). */
export const DirectoryRow = z.object({
  userId: z.string().min(1),
  email: z.string().nullable(),
  factors: z.array(z.string()),
  pendingUntil: z.number().describe("Until when a started enrolment waits for its first code (0: none)."),
  required: z.boolean().nullable(),
  lockedUntil: z.number().describe("When the user's lockout ends (epoch ms; 0 or past: none); `LOCKED_UNTIL_UNLOCK` while locked until an admin unlocks."),
  enrolledAt: z.number().nullable(),
  firstSeenAt: z.number(),
  lastSeenAt: z.number().nullable().describe("When the user last came themself, to within `LAST_SEEN_STEP_MS` (`null`: not since this was noted)."),
  version: z.number().int().describe("Increases with every change; an older snapshot arriving late never overwrites a newer one."),
});
export type DirectoryRow = z.infer<typeof DirectoryRow>;

export const DirectoryChange = z.object({
  kind: z.literal("directory"),
  id: MessageId,
  tenantId: z.string().min(1),
  row: DirectoryRow,
});
export type DirectoryChange = z.infer<typeof DirectoryChange>;

/** A message on the `EVENTS` queue. Changing it: add optional fields only (messages outlive a deploy in the queue and the dead-letter list). */
export const EventMessage = z.discriminatedUnion("kind", [StreamEvent, DirectoryChange]);
export type EventMessage = z.infer<typeof EventMessage>;

/** Where a record was made: the object (its id, hex) and whether it is a user's or a tenant's. */
export interface EventSource {
  object: "user" | "tenant";
  objectId: string;
}

/**
 * The id of an audit entry: its object and its sequence number there (never reused: the
 * tables are AUTOINCREMENT), so publishing it again gives the same id.
 * @example
 * auditEventId({ object: "user", objectId: ctx.id.toString() }, 42) // "u-9f3c…-42"
 */
export function auditEventId(source: EventSource, seq: number): string {
  return `${source.object === "user" ? "u" : "t"}-${source.objectId}-${seq}`;
}

/**
 * The id of a user's directory row at `version` (which only grows).
 * @example
 * directoryEventId(ctx.id.toString(), 3) // "d-9f3c…-3"
 */
export function directoryEventId(userObjectId: string, version: number): string {
  return `d-${userObjectId}-${version}`;
}

/**
 * A queue message may be 128 KB; an event's detail beyond this is replaced by its size, so
 * one oversized entry can never block its object's outbox (a send that always fails).
 */
export const MAX_EVENT_DETAIL_BYTES = 32 * 1024;

const encoder = new TextEncoder();
const bytesOf = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

/**
 * The detail as published: as recorded, or `{ omitted: "too_large", bytes }` past {@link MAX_EVENT_DETAIL_BYTES}.
 * @example
 * publishedDetail({ factor: "totp" }) // { factor: "totp" }
 */
export function publishedDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const bytes = bytesOf(detail);
  return bytes > MAX_EVENT_DETAIL_BYTES ? { omitted: "too_large", bytes } : detail;
}

/** What one `Queue.sendBatch` takes: at most 100 messages and 256 KB together. */
export const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 256 * 1024;
/** What the queue adds to each message's body in its size count (an estimate, kept generous). */
const MESSAGE_OVERHEAD_BYTES = 100;

/**
 * Splits messages, in order, into groups one `sendBatch` call accepts.
 * @example
 * batchesOf(messages).length // 1 for up to 100 small messages
 */
export function batchesOf<T>(messages: readonly T[]): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = bytesOf(message) + MESSAGE_OVERHEAD_BYTES;
    if (batch.length > 0 && (batch.length === SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(message);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Publishes `messages` to the stream; resolves only once the queue has taken every one of
 * them (an outbox marks them published only then). Sent as JSON, so a message stays readable
 * in the dashboard and across releases.
 * @example
 * await publish(env.EVENTS, messages); markPublished(sql, upToSeq);
 */
export async function publish(queue: Queue, messages: readonly EventMessage[]): Promise<void> {
  for (const batch of batchesOf(messages)) await queue.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
}
