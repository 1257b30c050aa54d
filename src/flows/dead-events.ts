/**
 * @module
 * The event stream's dead letters: the consumer of `stepgate-events-dead`, where the queue
 * puts a message once its last retry failed, keeps each in its tenant's object; the admin API
 * lists them and replays one (publishes it to the stream again, where every sink dedupes it).
 * The webhooks' dead deliveries (`webhook-delivery.ts`) and the alerts that could not be sent
 * (`user-alerts.ts`) are kept in the same list, each named with the queue it died on, and a
 * replay sends one to that queue again.
 *
 * Who may replay which (`replayScope`) is decided here, once, for the admin API and the console.
 */
import * as z from "zod";
import type { AdminScope } from "../config/admins-schema";
import { reachState } from "../lib/reach-state";
import { AlertDeliveryId } from "../state/alert-messages";
import { MessageId } from "../state/events";
import { tenantState } from "../state/tenant";
import type { ListedDeadLetter } from "../state/tenant/dead-events";
import type { DeadEvent, DeadEventsQuery, WebhookAttemptView } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { DeliveryId } from "../state/webhook-messages";
import { EVENTS_QUEUE, groupByTenant, readMessages, retryDelaySeconds } from "./event-stream";
import { NOTIFICATIONS_QUEUE } from "./user-alerts";
import { WEBHOOKS_QUEUE } from "./webhook-delivery";

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

/** The dead-letter queue this consumes (wrangler.jsonc: `dead_letter_queue` of `stepgate-events`). */
export const DEAD_EVENTS_QUEUE = "stepgate-events-dead";

/**
 * The `stepgate-events-dead` consumer: keeps each tenant's dead messages in its object (one
 * call per tenant), retried with backoff while that object fails (it may be what killed them).
 * @example
 * if (batch.queue === DEAD_EVENTS_QUEUE) await keepDeadEvents(batch, env);
 */
export async function keepDeadEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const groups = groupByTenant(readMessages(batch), (read) => read.body.tenantId);
  await Promise.all(
    [...groups].map(async ([tenantId, group]) => {
      try {
        await tenantState(env, tenantId).keepDeadEvents(
          tenantId,
          group.map((read) => read.body),
        );
        for (const { message } of group) message.ack();
      } catch (error) {
        console.error(`stepgate: keeping ${group.length} dead event(s) of tenant ${JSON.stringify(tenantId)} failed; retrying`, error);
        for (const { message } of group) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
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
