/**
 * Webhook delivery (docs/webhooks.md), end to end against real parts: events from the users' and
 * the tenant's objects through the event stream, the webhooks' queue and its consumer (the local
 * queues, Miniflare's), posted over HTTP to receivers on the fixture origin that verify each
 * delivery with the `standardwebhooks` package — the Standard Webhooks project's implementation,
 * not stepgate's (test/support/origins.ts). The test configuration only shortens the queues'
 * retries to two (after 1 s and 2 s, the deployed delays) before a message is dead-lettered.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deliverWebhooks, deliveryStep, fanOut, WEBHOOKS_QUEUE, webhookRetryDelaySeconds } from "../../src/flows/webhook-delivery";
import type { StreamEvent } from "../../src/state/events";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";
import { EventTypePattern, payloadOf, pingPayload, wantsEventType, webhookDelivery } from "../../src/state/webhook-messages";
import { countingEnv, noCalls } from "../../bench/counting-env";
import { aTenantKey, keyHeaders } from "../support/admin";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { anEvent, until } from "../support/events";
import { aReceiver, aWebhook, received, receivedAtLeast, taken, webhooksApi } from "../support/webhooks";
import { challengeFor, enrollTotpViaApi, postJson } from "../support/step-up";

type Attempt = {
  eventId: string;
  type: string;
  attempt: number;
  status: number | null;
  error: string | null;
  delivered: boolean;
  durationMs: number;
  at: string;
};
type DeadPage = { events: Array<{ id: string; queue: string; deadAt: string; message: { kind: string; webhookId?: string; payload?: { id: string } } }> };

/** Puts stream events on the event stream, as the objects' outboxes do. */
async function publish(...events: StreamEvent[]): Promise<void> {
  await env.EVENTS.sendBatch(events.map((body) => ({ body, contentType: "json" as const })));
}

async function attempts(base: string, webhookId: string): Promise<Attempt[]> {
  return (await (await webhooksApi(base, "GET", `/webhooks/${webhookId}/deliveries`)).json<{ deliveries: Attempt[] }>()).deliveries;
}

type AuditEntry = { type: string; actor: string | null; detail: object };

async function auditEntries(base: string, type: string): Promise<AuditEntry[]> {
  return (await (await webhooksApi(base, "GET", `/audit?type=${type}`)).json<{ entries: AuditEntry[] }>()).entries;
}

async function deadLetters(base: string): Promise<DeadPage["events"]> {
  return (await (await send(`${base}/__stepgate/admin/v1/events/dead?limit=200`, { headers: adminHeaders() })).json<DeadPage>()).events;
}

describe("delivering events to a webhook", () => {
  it("posts a failed verification as the documented payload, signed so the standardwebhooks package verifies it", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["verify.*"]);
    const token = await aSession({ sub: "vera" });
    await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const refused = await postJson(
      `${base}/__stepgate/api/challenges/${challengeId}/verify`,
      token,
      { factor: "backup_code", code: "zzzz-zzzz" },
      {
        "CF-Connecting-IP": "203.0.113.50",
      },
    );
    expect(refused.status).toBe(400);
    // The user's object publishes its records (its alarm), the stream hands them to the webhooks' sink.
    await runDurableObjectAlarm(userState(env, tenantId, "vera"));

    const [delivery] = await receivedAtLeast(receiver.name, 1);
    expect(delivery!.status).toBe(204);
    expect(delivery!.verifiedWith).toEqual([0]);
    const payload = JSON.parse(delivery!.body);
    expect(payload).toEqual({
      id: expect.stringMatching(/^u-[0-9a-f]{64}-\d+$/),
      type: "verify.failed",
      timestamp: expect.any(String),
      tenant: tenantId,
      data: {
        userId: "vera",
        actor: null,
        ip: "203.0.113.50",
        userAgent: null,
        city: null,
        country: null,
        detail: expect.objectContaining({ factor: "backup_code" }),
      },
    });
    expect(delivery!.headers["webhook-id"]).toBe(payload.id);
    expect(Math.abs(Number(delivery!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    // Only verify.* events: the enrolment's were not sent.
    expect((await taken(receiver.name)).map((p) => p.type)).toEqual(["verify.failed"]);
    expect(await attempts(base, webhook.id)).toEqual([
      {
        eventId: payload.id,
        type: "verify.failed",
        attempt: 1,
        status: 204,
        error: null,
        delivered: true,
        durationMs: expect.any(Number),
        at: expect.any(String),
      },
    ]);
  });

  it("sends each webhook only the types it asks for (exact, prefix.*, *), and a disabled one nothing", async () => {
    const { base, tenantId } = await aTenant();
    const [verify, enrolled, everything, off] = await Promise.all([aReceiver(), aReceiver(), aReceiver(), aReceiver()]);
    await aWebhook(base, verify, ["verify.*"]);
    await aWebhook(base, enrolled, ["factor.enrolled"]);
    await aWebhook(base, everything, ["*"]);
    await aWebhook(base, off, ["*"], { enabled: false });
    const events = ["verify.failed", "factor.enrolled", "verify.ok", "factor.removed", "verifying.started", "key.created"].map((type) =>
      anEvent(tenantId, "ivy", { type }),
    );
    await publish(...events);

    await receivedAtLeast(everything.name, events.length);
    await receivedAtLeast(verify.name, 2);
    await receivedAtLeast(enrolled.name, 1);
    const types = async (name: string) => (await taken(name)).map((p) => p.type).sort();
    expect(await types(everything.name)).toEqual(events.map((e) => e.type).sort());
    expect(await types(verify.name)).toEqual(["verify.failed", "verify.ok"]);
    expect(await types(enrolled.name)).toEqual(["factor.enrolled"]);
    expect(await received(off.name)).toEqual([]);
  });

  it("retries a failing endpoint with backoff and delivers once: a receiver failing twice gets it on the third attempt", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["lockout.*"], { failFirst: 2 });
    const event = anEvent(tenantId, "flo", { type: "lockout.started" });
    await publish(event);

    const deliveries = await receivedAtLeast(receiver.name, 3);
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 204]);
    // Every attempt is the same event under the same id (receivers dedupe on it), each signed anew.
    expect(new Set(deliveries.map((d) => d.headers["webhook-id"]))).toEqual(new Set([event.id]));
    expect(deliveries.every((d) => d.verifiedWith.length === 1)).toBe(true);
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(1);
    // The retries waited (1 s, then 2 s).
    const seconds = deliveries.map((d) => Number(d.headers["webhook-timestamp"]));
    expect(seconds[2]! - seconds[0]!).toBeGreaterThanOrEqual(2);
    await until(async () => (await attempts(base, webhook.id)).length === 3, "three attempts listed");
    expect((await attempts(base, webhook.id)).map((a) => [a.attempt, a.status, a.delivered])).toEqual([
      [3, 204, true],
      [2, 500, false],
      [1, 500, false],
    ]);
    expect(await taken(receiver.name)).toHaveLength(1);
    expect(await deadLetters(base)).toEqual([]);
  });

  it("dead-letters a delivery whose endpoint always fails, lists it with its queue, and a replay delivers it to the healed endpoint", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"], { status: 500 });
    const event = anEvent(tenantId, "dee", { type: "device.trusted" });
    await publish(event);

    await until(async () => (await deadLetters(base)).length === 1, "the delivery in the dead-letter list");
    const [dead] = await deadLetters(base);
    expect(dead).toMatchObject({
      id: `${webhook.id}.${event.id}`,
      queue: "stepgate-webhooks",
      message: { kind: "webhook", webhookId: webhook.id, payload: { id: event.id, type: "device.trusted" } },
    });
    expect((await received(receiver.name)).map((d) => d.status)).toEqual([500, 500, 500]);
    // The event itself reached the tenant's audit: only its delivery died.
    await until(async () => (await auditEntries(base, "device.trusted")).length === 1, "the event in the audit");

    // A webhook delivery's replay is webhooks:write's, not policy:write's.
    const { key } = await aTenantKey(base, ["policy:write", "audit:read"]);
    const refused = await send(`${base}/__stepgate/admin/v1/events/dead/${dead!.id}/replay`, { method: "POST", headers: keyHeaders(key) });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ requiredScope: "webhooks:write" });

    await receiver.set({ secrets: [webhook.secret] });
    const replay = await send(`${base}/__stepgate/admin/v1/events/dead/${dead!.id}/replay`, { method: "POST", headers: adminHeaders() });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ id: dead!.id, replayed: true });
    await until(async () => (await taken(receiver.name)).length === 1, "the replayed delivery taken");
    const delivered = (await received(receiver.name)).at(-1)!;
    expect(delivered.headers["webhook-id"]).toBe(event.id);
    expect(delivered.verifiedWith).toEqual([0]);
    expect(await deadLetters(base)).toEqual([]);
    await until(async () => (await attempts(base, webhook.id))[0]?.delivered === true, "the delivery listed");
  });

  it("turns a webhook off when its endpoint answers 410 Gone, without retrying, and audits it", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"], { status: 410 });
    await publish(anEvent(tenantId, "gus", { type: "verify.ok" }));

    await until(async () => !(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}`)).json<{ enabled: boolean }>()).enabled, "the webhook off");
    expect(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}`)).json()).toMatchObject({ enabled: false, disabledReason: "gone" });
    const entries = await auditEntries(base, "webhook.disabled");
    expect(entries.map((e) => [e.actor, e.detail])).toEqual([[null, { webhookId: webhook.id, reason: "gone", status: 410 }]]);
    // A retry would come a second later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await received(receiver.name)).toHaveLength(1);
    expect(await deadLetters(base)).toEqual([]);

    // Turned on again by an admin, it gets the next event, and the reason is gone.
    await receiver.set({ secrets: [webhook.secret] });
    const enabled = await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, { enabled: true });
    expect(await enabled.json()).toMatchObject({ enabled: true, disabledReason: null });
    await publish(anEvent(tenantId, "gus", { type: "verify.failed" }));
    await until(async () => (await taken(receiver.name)).length === 1, "the next event taken");
  });

  it("does not post a delivery again once its endpoint took it, nor one for a deleted webhook", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"]);
    const event = anEvent(tenantId, "dan", { type: "factor.removed" });
    await publish(event);
    await until(async () => (await taken(receiver.name)).length === 1, "the event taken");

    // The same stream event again (a share the stream redelivered), and the queue's message again.
    await publish(event);
    const again = webhookDelivery(tenantId, webhook.id, payloadOf(event));
    const batch = createMessageBatch(WEBHOOKS_QUEUE, [{ id: "m-again", timestamp: new Date(), attempts: 1, body: again }]);
    const ctx = createExecutionContext();
    await deliverWebhooks(batch, { ...env, STEPGATE_ENV: "development" });
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["m-again"], retryMessages: [] });
    await publish(anEvent(tenantId, "dan", { type: "factor.enrolled" }));
    await until(async () => (await taken(receiver.name)).length === 2, "the next event taken");
    expect((await received(receiver.name)).map((d) => d.headers["webhook-id"]).filter((id) => id === event.id)).toHaveLength(1);

    expect((await webhooksApi(base, "DELETE", `/webhooks/${webhook.id}`)).status).toBe(204);
    const orphan = createMessageBatch(WEBHOOKS_QUEUE, [
      { id: "m-orphan", timestamp: new Date(), attempts: 1, body: { ...again, id: `${webhook.id}.u-00-9`, payload: { ...again.payload, id: "u-00-9" } } },
    ]);
    await deliverWebhooks(orphan, env);
    expect(await getQueueResult(orphan, createExecutionContext())).toMatchObject({ explicitAcks: ["m-orphan"] });
    expect(await received(receiver.name)).toHaveLength(2);
  });
});

describe("a consumer's batch", () => {
  it("costs each tenant's object two calls, however many of its deliveries the batch holds, and posts each once", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"]);
    const other = await aTenant();
    const otherReceiver = await aReceiver();
    const otherWebhook = await aWebhook(other.base, otherReceiver, ["*"]);
    const messages = [
      ...Array.from({ length: 8 }, (_, i) => webhookDelivery(tenantId, webhook.id, payloadOf(anEvent(tenantId, `u${i}`, { type: "factor.removed" })))),
      ...Array.from({ length: 2 }, (_, i) =>
        webhookDelivery(other.tenantId, otherWebhook.id, payloadOf(anEvent(other.tenantId, `v${i}`, { type: "factor.removed" }))),
      ),
    ].map((body, i) => ({ id: `m-${i}`, timestamp: new Date(), attempts: 1, body }));
    const batch = createMessageBatch(WEBHOOKS_QUEUE, messages);
    const counts = noCalls();
    await deliverWebhooks(batch, countingEnv({ ...env, STEPGATE_ENV: "development" }, counts, "stream"));
    expect(await getQueueResult(batch, createExecutionContext())).toMatchObject({ explicitAcks: messages.map((m) => m.id), retryMessages: [] });
    expect(counts.byObject.stream).toEqual({ [`TENANTS ${tenantId}`]: 2, [`TENANTS ${other.tenantId}`]: 2 });
    expect((await taken(receiver.name)).map((payload) => payload.id).sort()).toEqual(
      messages
        .slice(0, 8)
        .map((m) => m.body.payload.id)
        .sort(),
    );
    expect(await taken(otherReceiver.name)).toHaveLength(2);
    expect(await attempts(base, webhook.id)).toHaveLength(8);
  });

  it("retries the whole share of a tenant whose object could not say where to post, and posts none of it", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"]);
    const messages = Array.from({ length: 3 }, (_, i) => ({
      id: `m-${i}`,
      timestamp: new Date(),
      attempts: 1,
      body: webhookDelivery(tenantId, webhook.id, payloadOf(anEvent(tenantId, `w${i}`, { type: "factor.removed" }))),
    }));
    const batch = createMessageBatch(WEBHOOKS_QUEUE, messages);
    const unreachable = { webhookDeliveries: () => Promise.reject(new Error("object unreachable")) };
    const failing = { ...env, TENANTS: { idFromName: env.TENANTS.idFromName.bind(env.TENANTS), get: () => unreachable } };
    await deliverWebhooks(batch, failing as unknown as Env);
    expect(await getQueueResult(batch, createExecutionContext())).toMatchObject({
      explicitAcks: [],
      retryMessages: messages.map((m) => ({ msgId: m.id })),
    });
    expect(await received(receiver.name)).toHaveLength(0);
  });
});

describe("a webhook's ping and secret rotation", () => {
  it("sends a webhook.test ping through the same delivery path, even to a webhook that is off", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["verify.failed"], { enabled: false });
    const response = await webhooksApi(base, "POST", `/webhooks/${webhook.id}/test`);
    expect(response.status).toBe(202);
    const { eventId } = await response.json<{ eventId: string }>();
    expect(eventId).toMatch(/^p-[0-9a-f]{32}-\d+$/);

    const [ping] = await receivedAtLeast(receiver.name, 1);
    expect(ping!.verifiedWith).toEqual([0]);
    expect(ping!.headers["webhook-id"]).toBe(eventId);
    expect(JSON.parse(ping!.body)).toEqual({
      id: eventId,
      type: "webhook.test",
      timestamp: expect.any(String),
      tenant: tenantId,
      data: { webhookId: webhook.id },
    });
    await until(async () => (await attempts(base, webhook.id)).length === 1, "the ping listed");
    expect((await attempts(base, webhook.id))[0]).toMatchObject({ eventId, type: "webhook.test", attempt: 1, status: 204, delivered: true });
  });

  it("tries a ping once: to a failing endpoint, one attempt, never retried nor dead-lettered, while an event beside it is", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["device.trusted"], { status: 500 });
    const { eventId: pingId } = await (await webhooksApi(base, "POST", `/webhooks/${webhook.id}/test`)).json<{ eventId: string }>();
    await receivedAtLeast(receiver.name, 1);
    const event = anEvent(tenantId, "pia", { type: "device.trusted" });
    await publish(event);

    // The event, sent after the ping, is tried three times and dead-lettered: a ping retried would be there first.
    await until(async () => (await deadLetters(base)).length > 0, "the event's dead delivery");
    expect((await deadLetters(base)).map((dead) => dead.id)).toEqual([`${webhook.id}.${event.id}`]);
    const byEvent = (await received(receiver.name)).map((delivery) => delivery.headers["webhook-id"]);
    expect(byEvent.filter((id) => id === pingId)).toHaveLength(1);
    expect(byEvent.filter((id) => id === event.id)).toHaveLength(3);
    await until(async () => (await attempts(base, webhook.id)).length === 4, "every attempt listed");
    expect((await attempts(base, webhook.id)).filter((attempt) => attempt.eventId === pingId)).toMatchObject([{ attempt: 1, status: 500, delivered: false }]);
  });

  it("acknowledges a ping the queue hands over again (its first try's invocation failed) without posting it", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"]);
    const ping = webhookDelivery(tenantId, webhook.id, pingPayload(tenantId, webhook.id, Date.now()));
    const batch = createMessageBatch(WEBHOOKS_QUEUE, [{ id: "m-ping", timestamp: new Date(), attempts: 2, body: ping }]);
    await deliverWebhooks(batch, env);
    expect(await getQueueResult(batch, createExecutionContext())).toMatchObject({ explicitAcks: ["m-ping"], retryMessages: [] });
    expect(await received(receiver.name)).toEqual([]);
    expect(await attempts(base, webhook.id)).toEqual([]);
  });

  it("lets a tenant send 10 pings a minute, all its webhooks together, then answers 429 with Retry-After; each ping audited", async () => {
    const { base, tenantId } = await aTenant();
    const other = await aTenant();
    const [one, two] = [await aWebhook(base, await aReceiver(), ["*"]), await aWebhook(base, await aReceiver(), ["*"])];
    for (let i = 0; i < 10; i++) expect((await webhooksApi(base, "POST", `/webhooks/${(i % 2 ? one : two).id}/test`)).status).toBe(202);
    const refused = await webhooksApi(base, "POST", `/webhooks/${one.id}/test`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ status: 429, code: "ping_limit", limit: 10, retryAfterSeconds: retryAfter });
    // An unknown webhook is still a 404, and another tenant's budget is its own.
    expect((await webhooksApi(base, "POST", "/webhooks/wh_0000000000000000/test")).status).toBe(404);
    const theirs = await aWebhook(other.base, await aReceiver(), ["*"]);
    expect((await webhooksApi(other.base, "POST", `/webhooks/${theirs.id}/test`)).status).toBe(202);

    const tested = await auditEntries(base, "webhook.tested");
    expect(tested).toHaveLength(10);
    expect(tested.every((entry) => entry.actor === "bootstrap")).toBe(true);
    expect(new Set(tested.map((entry) => (entry.detail as { webhookId: string }).webhookId))).toEqual(new Set([one.id, two.id]));

    // A minute on, the oldest ping no longer counts.
    await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      state.storage.sql.exec("UPDATE webhook_pings SET at = at - 60000 WHERE at = (SELECT min(at) FROM webhook_pings)");
    });
    expect((await webhooksApi(base, "POST", `/webhooks/${one.id}/test`)).status).toBe(202);
    expect((await webhooksApi(base, "POST", `/webhooks/${one.id}/test`)).status).toBe(429);
  });

  it("never lets parallel pings past the budget (the count and the check are one step)", async () => {
    const { base } = await aTenant();
    const webhook = await aWebhook(base, await aReceiver(), ["*"]);
    const statuses = await Promise.all(Array.from({ length: 25 }, () => webhooksApi(base, "POST", `/webhooks/${webhook.id}/test`).then((r) => r.status)));
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
  });

  it("signs with both the old and the new secret while a rotation overlaps, then with the new one only", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const webhook = await aWebhook(base, receiver, ["*"]);
    const rotated = await (await webhooksApi(base, "POST", `/webhooks/${webhook.id}/rotate-secret`)).json<{ secret: string }>();
    // The receiver checks each secret on its own: [0] the old, [1] the new.
    await receiver.set({ secrets: [webhook.secret, rotated.secret] });

    await webhooksApi(base, "POST", `/webhooks/${webhook.id}/test`);
    const [during] = await receivedAtLeast(receiver.name, 1);
    expect(during!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(during!.verifiedWith).toEqual([0, 1]);

    // A day later: the old secret no longer signs.
    await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      state.storage.sql.exec("UPDATE webhooks SET previous_until = ? WHERE id = ?", Date.now() - 1, webhook.id);
    });
    await webhooksApi(base, "POST", `/webhooks/${webhook.id}/test`);
    const [, after] = await receivedAtLeast(receiver.name, 2);
    expect(after!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(after!.verifiedWith).toEqual([1]);
    expect(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}`)).json()).toMatchObject({ previousSecretValidUntil: null });
  });
});

describe("the pure parts", () => {
  it("matches event types exactly, by prefix.* and by *, and nothing that only looks alike", () => {
    expect(wantsEventType(["verify.*"], "verify.failed")).toBe(true);
    expect(wantsEventType(["verify.*"], "verifying.started")).toBe(false);
    expect(wantsEventType(["verify.*"], "verify")).toBe(false);
    expect(wantsEventType(["factor.enrolled"], "factor.enrolled")).toBe(true);
    expect(wantsEventType(["factor.enrolled"], "factor.enrolled.again")).toBe(false);
    expect(wantsEventType(["*"], "anything.at_all")).toBe(true);
    expect(wantsEventType([], "verify.ok")).toBe(false);
    for (const ok of ["verify.failed", "verify.*", "backup_codes.issued", "*", "a.b.*"]) expect(EventTypePattern.safeParse(ok).success, ok).toBe(true);
    for (const bad of ["verify", "verify*", "**", "verify.*.*", "VERIFY.ok", "verify.ok*"]) expect(EventTypePattern.safeParse(bad).success, bad).toBe(false);
  });

  it("fans each event out to each webhook that wants it, and leaves directory changes out", () => {
    const event = anEvent("acme", "ann", { type: "verify.failed" });
    const deliveries = fanOut(
      "acme",
      [event, { kind: "directory", id: "d-00-1", tenantId: "acme", row: {} as never }],
      [
        { id: "wh_0000000000000001", eventTypes: ["verify.*"] },
        { id: "wh_0000000000000002", eventTypes: ["key.*"] },
        { id: "wh_0000000000000003", eventTypes: ["*"] },
      ],
    );
    expect(deliveries.map((d) => d.id)).toEqual([`wh_0000000000000001.${event.id}`, `wh_0000000000000003.${event.id}`]);
  });

  it("posts unless the webhook is deleted, took it already, or is off (a ping goes to one that is off)", () => {
    const endpoint = { url: "https://hooks.example.com/", enabled: true, secrets: ["whsec_x"], delivered: false };
    expect(deliveryStep(endpoint, "verify.ok")).toEqual({ post: true });
    expect(deliveryStep(null, "verify.ok")).toEqual({ post: false, why: "deleted" });
    expect(deliveryStep({ ...endpoint, delivered: true }, "verify.ok")).toEqual({ post: false, why: "delivered" });
    expect(deliveryStep({ ...endpoint, enabled: false }, "verify.ok")).toEqual({ post: false, why: "disabled" });
    expect(deliveryStep({ ...endpoint, enabled: false }, "webhook.test")).toEqual({ post: true });
  });

  it("waits 1 s, 2 s, 4 s … up to an hour between attempts", () => {
    expect([1, 2, 3, 4, 12, 13, 20].map(webhookRetryDelaySeconds)).toEqual([1, 2, 4, 8, 2048, 3600, 3600]);
  });
});
