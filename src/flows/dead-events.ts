/**
 * @module
 * Dead letters: the consumers of `stepgate-events-dead` and `stepgate-notifications-dead`, where
 * a queue puts a message once its last retry failed, keep each in its tenant's object with the
 * queue it died on; the admin API lists them and replays one (publishes it to that queue again,
 * whose consumers dedupe it).
 */
import { reachState } from "../lib/reach-state";
import { type DeadLetterSource, EVENTS_QUEUE, NOTIFICATIONS_QUEUE } from "../state/queues";
import { tenantState } from "../state/tenant";
import type { DeadEvent, DeadEventsQuery } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { groupByTenant, readMessages, retryDelaySeconds } from "./event-stream";

/** The dead-letter queues this consumes (wrangler.jsonc: each queue's `dead_letter_queue`), by the queue whose messages they hold. */
export const DEAD_LETTER_QUEUES: Readonly<Record<string, DeadLetterSource>> = {
  "stepgate-events-dead": EVENTS_QUEUE,
  "stepgate-notifications-dead": NOTIFICATIONS_QUEUE,
};

/**
 * A dead-letter queue's consumer: keeps each tenant's dead messages in its object (one call per
 * tenant) with the queue they died on, retried with backoff while that object fails (it may be
 * what killed them).
 * @example
 * if (Object.hasOwn(DEAD_LETTER_QUEUES, batch.queue)) await keepDeadEvents(batch, env);
 */
export async function keepDeadEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const source = DEAD_LETTER_QUEUES[batch.queue];
  if (!source) throw new Error(`stepgate: ${JSON.stringify(batch.queue)} is no dead-letter queue`);
  const groups = groupByTenant(readMessages(batch), (read) => read.body.tenantId);
  await Promise.all(
    [...groups].map(async ([tenantId, group]) => {
      try {
        await tenantState(env, tenantId).keepDeadEvents(
          tenantId,
          group.map((read) => read.body),
          source,
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
 * Publishes each dead copy of a message to the queue it died on again, audited as `actor`'s;
 * answers those queues, none when the tenant has no dead message with this id.
 * @example
 * await replayDeadEvent(env, tenantId, "u-9f3c…-42", { actor: "bootstrap", origin }) // ["stepgate-notifications"]
 */
export function replayDeadEvent(env: Env, tenantId: string, id: string, act: { actor: string; origin: RequestOrigin }): Promise<DeadLetterSource[]> {
  return reachState(() => tenantState(env, tenantId).replayDeadEvent(id, act.actor, act.origin) as Promise<DeadLetterSource[]>);
}
