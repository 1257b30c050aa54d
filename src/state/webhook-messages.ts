/**
 * @module
 * What a tenant's webhook receives (docs/webhooks.md), declared once: the public payload, which
 * event types a webhook asks for, and the message on the `stepgate-webhooks` queue — one per
 * (event, webhook), carrying the payload as it will be posted, so a retry or a replay posts the
 * same body under the same `webhook-id`.
 *
 * The payload is a documented shape of its own, not the stream's internal message: the stream
 * may grow fields for stepgate's own consumers without a receiver seeing them change.
 */
import * as z from "zod";
import type { StreamEvent } from "./events";

/** `wh_` + 64 random bits, hex. */
export const WebhookId = z
  .string()
  .regex(/^wh_[0-9a-f]{16}$/)
  .describe("The webhook's id, `wh_` and 16 hex digits.");

/** The stream's event ids (`u-`, `t-`), and `p-` for a ping, which is no stream event. */
const EVENT_ID = /^[utp]-[0-9a-f]{1,64}-\d{1,16}$/;

export const WebhookEventId = z
  .string()
  .regex(EVENT_ID)
  .describe("The event's id, also the `webhook-id` header: the same event delivered again (a retry, a replay) has the same id.");

/** A ping's type: `POST /webhooks/:id/test`. */
export const PING_TYPE = "webhook.test";

const EXACT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const PREFIX_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.\*$/;

export const EventTypePattern = z
  .string()
  .max(64)
  .refine((pattern) => pattern === "*" || EXACT_TYPE.test(pattern) || PREFIX_TYPE.test(pattern), {
    message: "an event type like verify.failed, a prefix like verify.* (every type under it), or * (every event)",
  });

/**
 * Whether an event of `type` is one `patterns` ask for: exactly, under a `prefix.*`, or `*`.
 * @example
 * wantsEventType(["verify.*"], "verify.failed") // true
 * wantsEventType(["verify.*"], "verifyx.ok") // false
 */
export function wantsEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => pattern === "*" || pattern === type || (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1))));
}

/** The JSON body every delivery posts (docs/webhooks.md#the-payload). */
export const WebhookPayload = z.object({
  id: WebhookEventId,
  type: z.string().min(1).describe("The event's type: an audit entry's (`verify.failed`, `factor.enrolled` …) or `webhook.test`."),
  timestamp: z.iso.datetime().describe("When it happened, ISO 8601 (not when it was delivered: that is `webhook-timestamp`)."),
  tenant: z.string().min(1).describe("The tenant it happened at."),
  data: z
    .record(z.string(), z.unknown())
    .describe("For an audit event: `userId`, `actor`, `ip`, `userAgent`, `city`, `country`, `detail`; for a ping: `webhookId`."),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/**
 * The payload for an audit event from the stream.
 * @example
 * payloadOf(event) // { id: "u-9f3c…-42", type: "verify.failed", timestamp: "…", tenant: "acme", data: { userId: "alice", … } }
 */
export function payloadOf(event: StreamEvent): WebhookPayload {
  const { id, type, at, tenantId, userId, actor, ip, userAgent, city, country, detail } = event;
  return { id, type, timestamp: at, tenant: tenantId, data: { userId, actor, ip, userAgent, city, country, detail } };
}

/**
 * A ping for `webhookId`: a fresh id each time (each ping is an event of its own).
 * @example
 * pingPayload("acme", "wh_0123456789abcdef", Date.now())
 */
export function pingPayload(tenantId: string, webhookId: string, now: number): WebhookPayload {
  const random = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { id: `p-${random}-${now}`, type: PING_TYPE, timestamp: new Date(now).toISOString(), tenant: tenantId, data: { webhookId } };
}

/** One delivery's id: its webhook and its event, so a dead letter is listed once per endpoint. */
export const DeliveryId = z
  .string()
  .regex(new RegExp(`^wh_[0-9a-f]{16}\\.${EVENT_ID.source.slice(1, -1)}$`))
  .describe("A webhook delivery's id: `<webhook id>.<event id>`.");

/**
 * @example
 * deliveryId("wh_0123456789abcdef", "u-9f3c…-42") // "wh_0123456789abcdef.u-9f3c…-42"
 */
export function deliveryId(webhookId: string, eventId: string): string {
  return `${webhookId}.${eventId}`;
}

/** A message on the `stepgate-webhooks` queue. Changing it: add optional fields only (messages outlive a deploy). */
export const WebhookDelivery = z.object({
  kind: z.literal("webhook"),
  id: DeliveryId,
  tenantId: z.string().min(1),
  webhookId: WebhookId,
  payload: WebhookPayload,
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/**
 * The delivery of `payload` to one webhook.
 * @example
 * await env.WEBHOOKS.send(webhookDelivery("acme", "wh_0123456789abcdef", payloadOf(event)), { contentType: "json" });
 */
export function webhookDelivery(tenantId: string, webhookId: string, payload: WebhookPayload): WebhookDelivery {
  return { kind: "webhook", id: deliveryId(webhookId, payload.id), tenantId, webhookId, payload };
}
