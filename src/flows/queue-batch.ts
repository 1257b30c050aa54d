/**
 * @module
 * What every queue consumer does with a batch before its own work: each message's body read as
 * what the queue carries (one that is not is retried, so it ends in the dead-letter queue rather
 * than lost), the bodies grouped by tenant (one call to each tenant's object), and the doubling
 * delay a failed message waits before its next try.
 */
import type * as z from "zod";

/** A queue message with its body read. */
export interface ReadBody<T> {
  message: Message<unknown>;
  body: T;
}

/** The delay before the first retry, doubled on each next one up to the queue's cap. */
const FIRST_RETRY_DELAY_SECONDS = 1;

/**
 * How long a message that failed its `attempts`-th try waits before the next: 1 s, doubled each
 * time, at most `maxSeconds`.
 * @example
 * doublingDelaySeconds(4, 300) // 8; doublingDelaySeconds(20, 300) // 300
 */
export function doublingDelaySeconds(attempts: number, maxSeconds: number): number {
  return Math.min(maxSeconds, FIRST_RETRY_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Each message's body read as `schema`; one that is not (a newer release's, during a deploy) is
 * logged as no `what` and retried after `retryDelaySeconds`, and in the end dead-lettered like any other.
 * @example
 * readBodies(batch, EventMessage, "event message", retryDelaySeconds) // [{ message, body }, …]
 */
export function readBodies<T>(
  batch: MessageBatch<unknown>,
  schema: z.ZodType<T>,
  what: string,
  retryDelaySeconds: (attempts: number) => number,
): Array<ReadBody<T>> {
  return batch.messages.flatMap((message) => {
    const parsed = schema.safeParse(message.body);
    if (parsed.success) return [{ message, body: parsed.data }];
    console.error(`stepgate: message ${message.id} on ${batch.queue} is no ${what}; retrying`, parsed.error.issues);
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return [];
  });
}

/**
 * Items grouped by their tenant, each group in the batch's order.
 * @example
 * groupByTenant([{ body: a }, { body: b }], (item) => item.body.tenantId) // Map { "acme" => [...] }
 */
export function groupByTenant<T>(items: readonly T[], tenantOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const tenantId = tenantOf(item);
    const group = groups.get(tenantId);
    if (group) group.push(item);
    else groups.set(tenantId, [item]);
  }
  return groups;
}
