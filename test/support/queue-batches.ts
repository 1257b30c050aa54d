/**
 * Queue batches as the queue hands them to a consumer, built to call the consumer directly and
 * watch what it acknowledged, what it retried and after how long.
 */
import { createMessageBatch } from "cloudflare:test";

/**
 * A message on a queue, delivered for the `attempts`-th time.
 * @example
 * aQueueMessage(event, event.id, 3)
 */
export const aQueueMessage = (body: unknown, id: string, attempts = 1) => ({ id, timestamp: new Date(), attempts, body });

/**
 * A batch on `queue`, and the delay each message it retries asked for.
 * @example
 * const { batch, delays } = aBatch("stepgate-events", [aQueueMessage(event, event.id)]);
 */
export function aBatch(queue: string, messages: Array<ReturnType<typeof aQueueMessage>>) {
  const batch = createMessageBatch<unknown>(queue, messages);
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    };
  }
  return { batch, delays };
}
