/**
 * @module
 * The event stream's dead letters: the consumer of `stepgate-events-dead`, where the queue
 * puts a message once its last retry failed, keeps each in its tenant's object; the admin API
 * lists them and replays one (publishes it to the stream again, where every sink dedupes it).
 */
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { DeadEvent, DeadEventsQuery } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { groupByTenant, readMessages, retryDelaySeconds } from "./event-stream";

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
export function deadEventsPage(env: Env, tenantId: string, query: DeadEventsQuery): Promise<{ events: DeadEvent[]; nextCursor: string | null }> {
  return reachState(() => tenantState(env, tenantId).deadEvents(query) as Promise<{ events: DeadEvent[]; nextCursor: string | null }>);
}

/**
 * Publishes a dead message to the stream again, audited as `actor`'s; `false` when the tenant
 * has no dead message with this id.
 * @example
 * await replayDeadEvent(env, tenantId, "u-9f3c…-42", { actor: "bootstrap", origin });
 */
export function replayDeadEvent(env: Env, tenantId: string, id: string, act: { actor: string; origin: RequestOrigin }): Promise<boolean> {
  return reachState(() => tenantState(env, tenantId).replayDeadEvent(id, act.actor, act.origin));
}
