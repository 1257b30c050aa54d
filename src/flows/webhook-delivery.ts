/**
 * @module
 * Delivering the tenant's events to its webhooks (docs/webhooks.md). Three parts:
 *
 * - {@link webhookEvents}, a sink of the event stream: for each event and each enabled webhook
 *   that wants its type, one message on `stepgate-webhooks`. Quick, and failing only when Queues
 *   does, so a slow endpoint never holds back the tenant's audit.
 * - {@link deliverWebhooks}, that queue's consumer: posts each message's payload, signed as
 *   Standard Webhooks says, and keeps what came of it in the tenant's object. A 2xx is delivered;
 *   any other status, a timeout or a network error is retried with a growing delay, then the
 *   message goes to `stepgate-webhooks-dead`; a 410 Gone turns the webhook off. A ping
 *   (`POST /webhooks/:id/test`) is tried once, whatever came of it: no retry, no dead letter.
 * - the dead-letter queue's consumer (`dead-events.ts`, the same for every queue): keeps each in
 *   the tenant's object beside the stream's dead letters (`GET /admin/v1/events/dead`, replayable).
 *
 * At least once: the stream may hand the sink an event twice, and the queue may deliver a
 * message twice. The tenant's object marks each (event, webhook) it saw taken, and a message
 * for one already taken is not posted again; two copies in flight at once may both be posted,
 * so receivers dedupe on `webhook-id` (the event's id, the same on every attempt).
 */
import { isDevelopment } from "../config/deployment";
import { refusedEndpoint } from "../config/unsafe-destinations";
import { standardWebhookHeaders } from "../lib/standard-webhooks";
import { postWebhook, type PostOutcome } from "../providers/webhook-post";
import { type EventMessage, type StreamEvent, batchesOf } from "../state/events";
import { tenantState, type WebhookEndpoint } from "../state/tenant";
import { isDelivered } from "../state/tenant/webhook-attempts";
import { payloadOf, PING_TYPE, WebhookDelivery, wantsEventType, webhookDelivery } from "../state/webhook-messages";
import { doublingDelaySeconds, groupByTenant, type ReadBody, readBodies } from "./queue-batch";

/** The queue this posts from (wrangler.jsonc `queues.consumers`). */
export const WEBHOOKS_QUEUE = "stepgate-webhooks";

/** The longest a delivery waits between two tries. With the consumer's `max_retries` (20) it is tried for about 9 hours. */
const RETRY_MAX_DELAY_SECONDS = 3600;

/**
 * How long a delivery that failed its `attempts`-th try waits before the next.
 * @example
 * webhookRetryDelaySeconds(1) // 1; webhookRetryDelaySeconds(5) // 16; webhookRetryDelaySeconds(20) // 3600
 */
export function webhookRetryDelaySeconds(attempts: number): number {
  return doublingDelaySeconds(attempts, RETRY_MAX_DELAY_SECONDS);
}

/**
 * The webhooks' sink of the event stream (an `EventSink`, listed in `EVENT_SINKS`; typed where it
 * is listed, so the two modules do not import each other): one message per event and webhook
 * that wants it. Asks the tenant's object once per share of a batch which webhooks are on.
 */
export const webhookEvents = {
  name: "webhooks",
  async take(env: Env, tenantId: string, messages: readonly EventMessage[]): Promise<void> {
    const events = messages.filter((message): message is StreamEvent => message.kind === "event");
    if (events.length === 0) return;
    const targets = await tenantState(env, tenantId).webhookTargets();
    const deliveries = fanOut(tenantId, events, targets);
    for (const batch of batchesOf(deliveries)) await env.WEBHOOKS.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
  },
};

/**
 * Each event for each webhook whose event types ask for it, in the events' order.
 * @example
 * fanOut("acme", [failedVerification], [{ id: "wh_…", eventTypes: ["verify.*"] }]) // one delivery
 */
export function fanOut(tenantId: string, events: readonly EventMessage[], targets: ReadonlyArray<{ id: string; eventTypes: string[] }>): WebhookDelivery[] {
  return events.flatMap((event) =>
    event.kind === "event"
      ? targets.filter((target) => wantsEventType(target.eventTypes, event.type)).map((target) => webhookDelivery(tenantId, target.id, payloadOf(event)))
      : [],
  );
}

/** What to do with a delivery, given its webhook (`null`: deleted) and the destination rule. */
export type DeliveryStep = { post: true } | { post: false; why: "deleted" | "disabled" | "delivered" };

/**
 * Whether to post a delivery: not to a deleted webhook, not again once taken, and not to a
 * disabled one — except a ping, which an admin may send to check an endpoint before turning it on.
 * @example
 * deliveryStep(endpoint, "verify.failed") // { post: true }
 */
export function deliveryStep(endpoint: (WebhookEndpoint & { delivered: boolean }) | null, type: string): DeliveryStep {
  if (!endpoint) return { post: false, why: "deleted" };
  if (endpoint.delivered) return { post: false, why: "delivered" };
  if (!endpoint.enabled && type !== PING_TYPE) return { post: false, why: "disabled" };
  return { post: true };
}

/**
 * The `stepgate-webhooks` consumer: each message posted, its outcome kept, and acknowledged
 * when delivered (or not to be posted, or 410 Gone, or a ping), retried with backoff otherwise.
 * A batch's deliveries are grouped by tenant and each group costs its tenant's object two
 * calls, whatever its size: where to post them all, then what came of them all (one call per
 * delivery each would put one webhook taking every verification over the object's ceiling at a
 * big tenant's peak: docs/scaling.md).
 * @example
 * if (batch.queue === WEBHOOKS_QUEUE) await deliverWebhooks(batch, env);
 */
export async function deliverWebhooks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deliveries = readBodies(batch, WebhookDelivery, "webhook delivery", webhookRetryDelaySeconds);
  const tenants = groupByTenant(deliveries, (read) => read.body.tenantId);
  await Promise.all([...tenants].map(([tenantId, group]) => deliverTenantsShare(env, tenantId, group)));
}

async function deliverTenantsShare(env: Env, tenantId: string, group: Array<ReadBody<WebhookDelivery>>): Promise<void> {
  // A ping is tried once: an admin checking an endpoint sees the answer under its deliveries, and
  // sends another if need be. Retried, each ping to a failing endpoint would be 21 POSTs over 9
  // hours on the queue every tenant shares, then a dead letter. One the queue hands over again
  // (its first try's invocation failed) is dropped unposted.
  const isPing = ({ body }: ReadBody<WebhookDelivery>) => body.payload.type === PING_TYPE;
  const failed = (read: ReadBody<WebhookDelivery>) =>
    isPing(read) ? read.message.ack() : read.message.retry({ delaySeconds: webhookRetryDelaySeconds(read.message.attempts) });
  const toTry: Array<ReadBody<WebhookDelivery>> = [];
  for (const read of group) {
    if (isPing(read) && read.message.attempts > 1) read.message.ack();
    else toTry.push(read);
  }
  if (toTry.length === 0) return;
  try {
    const tenant = tenantState(env, tenantId);
    const endpoints = await tenant.webhookDeliveries(toTry.map(({ body }) => ({ webhookId: body.webhookId, eventId: body.payload.id })));
    const tried = await Promise.all(
      toTry.map(async (read, i) => {
        const endpoint = endpoints[i] ?? null;
        if (!endpoint || !deliveryStep(endpoint, read.body.payload.type).post) return { read, outcome: null };
        return { read, outcome: await post(env, endpoint, read.body) };
      }),
    );
    const attempts = tried.flatMap(({ read: { message, body }, outcome }) =>
      outcome ? [{ webhookId: body.webhookId, eventId: body.payload.id, type: body.payload.type, attempt: message.attempts, ...outcome }] : [],
    );
    if (attempts.length > 0) await tenant.recordWebhookAttempts(attempts);
    for (const { read, outcome } of tried) {
      if (!outcome || isDelivered(outcome.status) || outcome.status === 410) read.message.ack();
      else failed(read);
    }
  } catch (error) {
    console.error(
      `stepgate: delivering ${toTry.length} webhook message(s) of tenant ${JSON.stringify(tenantId)} failed; pings are not retried, the rest are`,
      error,
    );
    for (const read of toTry) failed(read);
  }
}

/**
 * Posts the payload, signed at this attempt's time (receivers refuse old timestamps), after
 * checking the destination again: a webhook stored before a rule tightened, or in development
 * (loopback allowed) and read in production, fails closed.
 */
async function post(env: Env, endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<PostOutcome> {
  const refused = refusedEndpoint(endpoint.url, { development: isDevelopment(env) });
  if (refused) return { status: null, error: `destination refused: ${refused}`, durationMs: 0 };
  const body = JSON.stringify(delivery.payload);
  const headers = await standardWebhookHeaders(endpoint.secrets, delivery.payload.id, Math.floor(Date.now() / 1000), body);
  return postWebhook(endpoint.url, headers, body);
}
