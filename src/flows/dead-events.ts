/**
 * @module
 * The dead letters: each queue puts a message whose last retry failed on its dead-letter queue
 * (wrangler.jsonc `dead_letter_queue`), and one consumer for all three keeps it in its tenant's
 * object — the event stream's messages, the webhooks' deliveries (`webhook-delivery.ts`) and the
 * alerts that could not be sent (`user-alerts.ts`), in one list. The admin API lists them, each
 * named with the queue it died on, and replays one: sends it to that queue again, where every
 * consumer dedupes it.
 */
import type * as z from "zod";
import { reachState } from "../lib/reach-state";
import { AlertDelivery } from "../state/alert-messages";
import { EventMessage } from "../state/events";
import { tenantState } from "../state/tenant";
import type { DeadLetter, ListedDeadLetter } from "../state/tenant/dead-events";
import type { DeadEvent, DeadEventsQuery } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { WebhookDelivery } from "../state/webhook-messages";
import { EVENTS_QUEUE, retryDelaySeconds } from "./event-stream";
import { groupByTenant, readBodies } from "./queue-batch";
import { NOTIFICATIONS_QUEUE } from "./user-alerts";
import { WEBHOOKS_QUEUE, webhookRetryDelaySeconds } from "./webhook-delivery";

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
