/**
 * @module
 * The dead letters: each queue puts a message whose last retry failed on its dead-letter queue
 * (wrangler.jsonc `dead_letter_queue`), and one consumer for all three keeps it in its tenant's
 * object — the event stream's messages, the webhooks' deliveries (`webhook-delivery.ts`) and the
 * alerts that could not be sent (`user-alerts.ts`), in one list. The admin API lists them, each
 * named with the queue it died on, and replays one: sends it to that queue again, where every
 * consumer dedupes it.
 *
 * Who may replay which (`replayScope`) is decided here, once, for the admin API and the console.
 */
import * as z from "zod";
import type { AdminScope } from "../config/admins-schema";
import { reachState } from "../lib/reach-state";
import { AlertDelivery, AlertDeliveryId } from "../state/alert-messages";
import { EventMessage, MessageId } from "../state/events";
import { tenantState } from "../state/tenant";
import type { DeadLetter, ListedDeadLetter } from "../state/tenant/dead-events";
import type { DeadEvent, DeadEventsQuery, WebhookAttemptView } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { DeliveryId, WebhookDelivery } from "../state/webhook-messages";
import { EVENTS_QUEUE, retryDelaySeconds } from "./event-stream";
import { groupByTenant, readBodies } from "./queue-batch";
import { NOTIFICATIONS_QUEUE } from "./user-alerts";
import { WEBHOOKS_QUEUE, webhookRetryDelaySeconds } from "./webhook-delivery";

/** A dead letter's id: a stream message's, a webhook delivery's or an alert's. */
export const DeadLetterId = z.union([MessageId, DeliveryId, AlertDeliveryId]);

/**
 * The scope replaying dead letter `id` needs. Replaying is no read: a stream message delivers
 * records again to every consumer of the stream, so it belongs to whoever decides where the
 * tenant's events go (`policy:write`), as does an alert (it emails a user again, under the
 * policy's `notifications`); a webhook delivery, whose id names its webhook
 * (`wh_….<event id>`), posts to the tenant's endpoint again (`webhooks:write`).
 * @example
 * replayScope("wh_0123456789abcdef.u-9f3c…-42") // "webhooks:write"
 */
export function replayScope(id: string): AdminScope {
  return DeliveryId.safeParse(id).success ? "webhooks:write" : "policy:write";
}

/** The event stream's dead-letter queue (wrangler.jsonc: `dead_letter_queue` of `stepgate-events`). */
export const DEAD_EVENTS_QUEUE = "stepgate-events-dead";

/** What a dead-letter queue carries: the messages of its queue, which its consumer retries with that queue's backoff. */
interface DeadLetterQueue {
  /** What a message on it is, as the logs name it. */
  what: string;
  body: z.ZodType<DeadLetter>;
  retryDelaySeconds: (attempts: number) => number;
}

/** Each dead-letter queue this worker consumes (wrangler.jsonc `queues.consumers`), by name. */
const DEAD_LETTER_QUEUES: ReadonlyMap<string, DeadLetterQueue> = new Map([
  [DEAD_EVENTS_QUEUE, { what: "event message", body: EventMessage, retryDelaySeconds }],
  ["stepgate-webhooks-dead", { what: "webhook delivery", body: WebhookDelivery, retryDelaySeconds: webhookRetryDelaySeconds }],
  ["stepgate-notifications-dead", { what: "alert", body: AlertDelivery, retryDelaySeconds }],
]);

/**
 * Whether `queue` is one of the dead-letter queues {@link keepDeadLetters} consumes.
 * @example
 * isDeadLetterQueue("stepgate-webhooks-dead") // true
 */
export function isDeadLetterQueue(queue: string): boolean {
  return DEAD_LETTER_QUEUES.has(queue);
}

/**
 * The consumer of every dead-letter queue: keeps each tenant's dead messages in its object (one
 * call per tenant), retried with backoff while that object fails (it may be what killed them).
 * @example
 * if (isDeadLetterQueue(batch.queue)) await keepDeadLetters(batch, env);
 */
export async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const queue = DEAD_LETTER_QUEUES.get(batch.queue);
  if (!queue) throw new Error(`stepgate: ${JSON.stringify(batch.queue)} is no dead-letter queue`);
  const groups = groupByTenant(readBodies(batch, queue.body, queue.what, queue.retryDelaySeconds), (read) => read.body.tenantId);
  await Promise.all(
    [...groups].map(async ([tenantId, group]) => {
      try {
        await tenantState(env, tenantId).keepDeadEvents(
          tenantId,
          group.map((read) => read.body),
        );
        for (const { message } of group) message.ack();
      } catch (error) {
        console.error(`stepgate: keeping ${group.length} dead letter(s) from ${batch.queue} of tenant ${JSON.stringify(tenantId)} failed; retrying`, error);
        for (const { message } of group) message.retry({ delaySeconds: queue.retryDelaySeconds(message.attempts) });
      }
    }),
  );
}

/**
 * A page of the tenant's dead letters, newest first.
 * @example
 * const { events, nextCursor } = await deadEventsPage(env, tenantId, { limit: 50 });
 */
export async function deadEventsPage(env: Env, tenantId: string, query: DeadEventsQuery): Promise<{ events: DeadEvent[]; nextCursor: string | null }> {
  const page = await reachState(() => tenantState(env, tenantId).deadEvents(query) as Promise<{ events: ListedDeadLetter[]; nextCursor: string | null }>);
  return {
    events: page.events.map((dead) => ({ ...dead, queue: queueOf(dead.message.kind) })),
    nextCursor: page.nextCursor,
  };
}

/** The queue a dead letter of `kind` died on, and is replayed to. */
function queueOf(kind: DeadEvent["message"]["kind"]): string {
  if (kind === "webhook") return WEBHOOKS_QUEUE;
  return kind === "alert" ? NOTIFICATIONS_QUEUE : EVENTS_QUEUE;
}

/**
 * Sends a dead message again (a stream message to the stream, a webhook delivery to the
 * webhooks' queue, an alert to the alerts' queue), audited as `actor`'s; `false` when the tenant has no dead message with this id.
 * @example
 * await replayDeadEvent(env, tenantId, "u-9f3c…-42", { actor: "bootstrap", origin });
 */
export async function replayDeadEvent(env: Env, tenantId: string, id: string, act: { actor: string; origin: RequestOrigin }): Promise<boolean> {
  return (await reachState(() => tenantState(env, tenantId).replayDeadEvent(id, act.actor, act.origin))) !== null;
}

/**
 * The newest kept attempt of each webhook delivery among `events`, by dead letter id: what its
 * endpoint last answered, and which attempt that was. A webhook keeps its last 50 attempts
 * (`GET /webhooks/:id/deliveries`, `webhooks:write`'s to read), so an older delivery, or one
 * of a webhook deleted since, has none. The stream's messages and the alerts keep no attempts.
 * @example
 * const attempts = await deadDeliveryAttempts(env, tenantId, page.events);
 * attempts.get("wh_0123456789abcdef.u-9f3c…-42") // { attempt: 3, status: 500, error: null, … }
 */
export async function deadDeliveryAttempts(env: Env, tenantId: string, events: readonly DeadEvent[]): Promise<Map<string, WebhookAttemptView>> {
  const deliveries = events.flatMap((dead) => (dead.message.kind === "webhook" ? [dead.message] : []));
  const webhooks = [...new Set(deliveries.map((delivery) => delivery.webhookId))];
  const tenant = tenantState(env, tenantId);
  const kept = await Promise.all(webhooks.map(async (id) => [id, (await reachState(() => tenant.webhookAttempts(id))) ?? []] as const));
  const byWebhook = new Map(kept);
  const found = new Map<string, WebhookAttemptView>();
  for (const delivery of deliveries) {
    // Newest first: the first of this event's is its last attempt.
    const last = byWebhook.get(delivery.webhookId)?.find((attempt) => attempt.eventId === delivery.payload.id);
    if (last) found.set(delivery.id, last);
  }
  return found;
}
