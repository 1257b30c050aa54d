/**
 * @module
 * The queues whose messages may end as dead letters in a tenant's object, by the names
 * wrangler.jsonc gives them, and the producer binding that publishes to each: where a dead
 * letter is replayed to. Every dead letter is listed with the queue it died on.
 */

/** The event stream (docs/events.md). */
export const EVENTS_QUEUE = "stepgate-events";
/** The security alerts to users, forwarded from the stream (docs/notifications.md). */
export const NOTIFICATIONS_QUEUE = "stepgate-notifications";

export const DEAD_LETTER_SOURCES = [EVENTS_QUEUE, NOTIFICATIONS_QUEUE] as const;
export type DeadLetterSource = (typeof DEAD_LETTER_SOURCES)[number];

/**
 * The binding that publishes to `queue`.
 * @example
 * await producerOf(env, NOTIFICATIONS_QUEUE).send(message, { contentType: "json" });
 */
export function producerOf(env: Pick<Env, "EVENTS" | "NOTIFICATIONS">, queue: DeadLetterSource): Queue {
  return queue === NOTIFICATIONS_QUEUE ? env.NOTIFICATIONS : env.EVENTS;
}
