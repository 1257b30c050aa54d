/**
 * The one consumer of the three dead-letter queues (docs/events.md): each queue's dead messages
 * kept in their tenant's object and listed with the queue they died on; a message that is not
 * of its queue's kind retried with that queue's backoff, so it is not lost. Real parts: the
 * tenant's object and the queue's batch as the pool builds it.
 */
import { createExecutionContext, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deadEventsPage, isDeadLetterQueue, keepDeadLetters } from "../../src/flows/dead-events";
import { alertDelivery } from "../../src/state/alert-messages";
import { payloadOf, webhookDelivery } from "../../src/state/webhook-messages";
import { anEvent } from "../support/events";
import { expectErrorLogs } from "../support/expected-logs";
import { aBatch, aQueueMessage } from "../support/queue-batches";

/** Each body a message on `queue`, `m1`, `m2` …, delivered for the `attempts`-th time. */
const onQueue = (queue: string, bodies: unknown[], attempts = 1) =>
  aBatch(
    queue,
    bodies.map((body, i) => aQueueMessage(body, `m${i + 1}`, attempts)),
  );

async function consume(batch: MessageBatch<unknown>) {
  const ctx = createExecutionContext();
  await keepDeadLetters(batch, env);
  return getQueueResult(batch, ctx);
}

describe("the dead-letter queues' consumer", () => {
  it("keeps the dead messages of each queue in their tenant's object, listed with the queue they died on", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const event = anEvent(tenantId, "kim");
    const delivery = webhookDelivery(tenantId, "wh_0123456789abcdef", payloadOf(event));
    const alert = alertDelivery(event);
    for (const [queue, body] of [
      ["stepgate-events-dead", event],
      ["stepgate-webhooks-dead", delivery],
      ["stepgate-notifications-dead", alert],
    ] as const) {
      const result = await consume(onQueue(queue, [body]).batch);
      expect(result.explicitAcks).toEqual(["m1"]);
      expect(result.retryMessages).toEqual([]);
    }
    const { events } = await deadEventsPage(env, tenantId, { limit: 10 });
    expect(events.map((dead) => [dead.id, dead.queue])).toEqual([
      [alert.id, "stepgate-notifications"],
      [delivery.id, "stepgate-webhooks"],
      [event.id, "stepgate-events"],
    ]);
  });

  it("gives each tenant its own share of a batch", async () => {
    const [a, b] = [`t-${crypto.randomUUID()}`, `t-${crypto.randomUUID()}`];
    const events = [anEvent(a, "kim"), anEvent(b, "lou"), anEvent(a, "kim")];
    const result = await consume(onQueue("stepgate-events-dead", events).batch);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2", "m3"]);
    expect((await deadEventsPage(env, a, { limit: 10 })).events.map((dead) => dead.id)).toEqual([events[2]!.id, events[0]!.id]);
    expect((await deadEventsPage(env, b, { limit: 10 })).events.map((dead) => dead.id)).toEqual([events[1]!.id]);
  });

  it("retries a message that is not of its queue's kind, with that queue's backoff, and keeps nothing of it", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const event = anEvent(tenantId, "kim");
    const errors = expectErrorLogs();
    // The thirteenth try: the webhooks' backoff has reached its hour, the stream's stopped at 5 minutes.
    const onWebhooks = onQueue("stepgate-webhooks-dead", [event], 13);
    expect((await consume(onWebhooks.batch)).retryMessages).toEqual([{ msgId: "m1" }]);
    expect([...onWebhooks.delays]).toEqual([["m1", 3600]]);
    expect(errors).toHaveBeenCalledWith("stepgate: message m1 on stepgate-webhooks-dead is no webhook delivery; retrying", expect.anything());
    const onAlerts = onQueue("stepgate-notifications-dead", [event], 13);
    expect((await consume(onAlerts.batch)).retryMessages).toEqual([{ msgId: "m1" }]);
    expect([...onAlerts.delays]).toEqual([["m1", 300]]);
    expect(errors).toHaveBeenCalledWith("stepgate: message m1 on stepgate-notifications-dead is no alert; retrying", expect.anything());
    expect((await deadEventsPage(env, tenantId, { limit: 10 })).events).toEqual([]);
  });

  it("consumes the three dead-letter queues and no other", async () => {
    expect(["stepgate-events-dead", "stepgate-webhooks-dead", "stepgate-notifications-dead"].filter(isDeadLetterQueue)).toHaveLength(3);
    expect(["stepgate-events", "stepgate-webhooks", "stepgate-notifications", "constructor"].filter(isDeadLetterQueue)).toEqual([]);
    await expect(keepDeadLetters(onQueue("stepgate-events", []).batch, env)).rejects.toThrow('"stepgate-events" is no dead-letter queue');
  });
});
