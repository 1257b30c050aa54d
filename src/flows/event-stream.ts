/**
 * @module
 * The consumer of the `stepgate-events` queue (docs/events.md): each batch (up to 100
 * messages) is split by tenant, and each tenant's share is given to every {@link EventSink} —
 * the tenant's audit trail and directory, in one call to the tenant's object, the webhooks'
 * queue, and the security alerts to users, forwarded to their own queue (`alert-forwarding.ts`).
 * A tenant's share is acknowledged when every sink took it, and retried with a growing delay
 * when one failed; after the queue's last retry it goes to the dead-letter queue
 * (`dead-events.ts`).
 *
 * Delivery is at least once and unordered (across users, and even within one user's records
 * after a retry), so every sink is idempotent on the message id, and a directory row carries
 * a version that only grows: a sink given a message again, or late, changes nothing.
 */
import { EventMessage } from "../state/events";
import { tenantState } from "../state/tenant";
import { alertForwarding } from "./alert-forwarding";
import { doublingDelaySeconds, groupByTenant, readBodies } from "./queue-batch";
import { webhookEvents } from "./webhook-delivery";

/** The queue this consumes (wrangler.jsonc `queues.consumers`). */
export const EVENTS_QUEUE = "stepgate-events";

/**
 * A consumer of the event stream: the extension point where webhooks and user notifications
 * plug in. Each sink is given each tenant's share of every batch and must be idempotent on the
 * message id: after any sink fails, the share is delivered again to every sink.
 *
 * A sink that does slow or failure-prone work (an HTTP delivery, an email) should not do it
 * here, where its failures would hold back the tenant's audit: it forwards the messages it
 * wants to a queue of its own (`env.X.sendBatch`), whose consumer has its own retries and
 * dead-letter queue. Forwarding is quick and fails only when Queues does.
 * @example
 * const webhookEvents: EventSink = {
 *   name: "webhooks",
 *   take: (env, tenantId, messages) => env.WEBHOOK_EVENTS.sendBatch(messages.filter(isEvent).map((body) => ({ body, contentType: "json" }))),
 * };
 */
export interface EventSink {
  /** Named in the logs when it fails. */
  readonly name: string;
  /** Takes one tenant's messages of a batch (at most 100); throws to have them all delivered again. */
  take(env: Env, tenantId: string, messages: readonly EventMessage[]): Promise<unknown>;
}

/** The tenant's audit trail and directory: a batch's messages for a tenant, in one call to its object. */
export const tenantRecords: EventSink = {
  name: "tenant-records",
  take: (env, tenantId, messages) => tenantState(env, tenantId).storeEvents(tenantId, [...messages]),
};

/**
 * Every consumer of the stream, each given every tenant's share of every batch (see
 * {@link EventSink}): the tenant's records, the webhooks' queue (`webhook-delivery.ts`), and the
 * alerts' queue (`alert-forwarding.ts`).
 */
export const EVENT_SINKS: readonly EventSink[] = [tenantRecords, webhookEvents, alertForwarding];

/** The longest a message waits between two tries. With the consumer's `max_retries` (10) it is retried for about 13 minutes. */
const RETRY_MAX_DELAY_SECONDS = 300;

/**
 * How long a message that failed its `attempts`-th delivery waits before the next.
 * @example
 * retryDelaySeconds(1) // 1; retryDelaySeconds(4) // 8; retryDelaySeconds(20) // 300
 */
export function retryDelaySeconds(attempts: number): number {
  return doublingDelaySeconds(attempts, RETRY_MAX_DELAY_SECONDS);
}

/**
 * The `stepgate-events` consumer: every sink takes each tenant's share; the share is
 * acknowledged once all did, else retried with backoff (see the module note).
 * @example
 * export default { fetch: app.fetch, queue: (batch, env) => consumeEvents(batch, env) };
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, sinks: readonly EventSink[] = EVENT_SINKS): Promise<void> {
  const groups = groupByTenant(readBodies(batch, EventMessage, "event message", retryDelaySeconds), (read) => read.body.tenantId);
  await Promise.all(
    [...groups].map(async ([tenantId, group]) => {
      const bodies = group.map((read) => read.body);
      const results = await Promise.allSettled(sinks.map((sink) => sink.take(env, tenantId, bodies)));
      const failed = results.flatMap((result, i) => (result.status === "rejected" ? [{ sink: sinks[i]!.name, error: result.reason as unknown }] : []));
      if (failed.length === 0) {
        for (const { message } of group) message.ack();
        return;
      }
      console.error(`stepgate: ${group.length} event(s) of tenant ${JSON.stringify(tenantId)} not taken; retrying`, failed);
      for (const { message } of group) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }),
  );
}
