/**
 * Attack probe (attack20): one tenant's admin against another tenant's webhooks and dead
 * letters; the webhook secret anywhere after the answer that made it; and a `webhooks:write`
 * key flooding pings.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantState } from "../../src/state/tenant";
import { aTenantKey, keyHeaders } from "../support/admin";
import { adminHeaders, aTenant, send } from "../support/builders";
import { anEvent, until } from "../support/events";
import { aReceiver, aWebhook, received, webhooksApi } from "../support/webhooks";

type DeadPage = { events: Array<{ id: string; queue: string; message: unknown }> };

async function deadLetters(base: string, headers = adminHeaders()): Promise<DeadPage["events"]> {
  const response = await send(`${base}/__stepgate/admin/v1/events/dead?limit=200`, { headers });
  expect(response.status).toBe(200);
  return (await response.json<DeadPage>()).events;
}

describe("attack: across tenants", () => {
  it("gives tenant A's key nothing of tenant B's webhooks, deliveries or dead letters", async () => {
    const a = await aTenant();
    const b = await aTenant();
    const receiver = await aReceiver();
    const hookB = await aWebhook(b.base, receiver, ["*"], { status: 500 });
    const eventB = anEvent(b.tenantId, "bea", { type: "device.trusted" });
    await env.EVENTS.sendBatch([{ body: eventB, contentType: "json" }]);
    await until(async () => (await deadLetters(b.base)).length === 1, "B's dead delivery");
    const [deadB] = await deadLetters(b.base);

    const { key: keyA } = await aTenantKey(a.base, ["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write", "webhooks:write"]);
    // A's key on B's host: unknown there.
    expect((await webhooksApi(b.base, "GET", "/webhooks", undefined, keyHeaders(keyA))).status).toBe(401);
    expect((await send(`${b.base}/__stepgate/admin/v1/events/dead`, { headers: keyHeaders(keyA) })).status).toBe(401);
    // B's ids on A's host: not found.
    for (const [method, path] of [
      ["GET", `/webhooks/${hookB.id}`],
      ["GET", `/webhooks/${hookB.id}/deliveries`],
      ["POST", `/webhooks/${hookB.id}/test`],
      ["POST", `/webhooks/${hookB.id}/rotate-secret`],
      ["PATCH", `/webhooks/${hookB.id}`],
      ["DELETE", `/webhooks/${hookB.id}`],
      ["POST", `/events/dead/${deadB!.id}/replay`],
      ["POST", `/events/dead/${eventB.id}/replay`],
    ] as const) {
      const response = await webhooksApi(a.base, method, path, method === "PATCH" ? { url: "https://evil.example/x" } : undefined, keyHeaders(keyA));
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    expect(await deadLetters(a.base)).toEqual([]);
    // A's object refuses to keep a message of B's (a dead letter naming another tenant).
    let refusal = "kept";
    try {
      await tenantState(env, a.tenantId).keepDeadEvents(a.tenantId, [{ ...eventB }]);
    } catch (error) {
      refusal = String(error);
    }
    expect(refusal).toMatch(/refuses records for tenant/);
    // B's webhook is untouched.
    expect((await (await webhooksApi(b.base, "GET", `/webhooks/${hookB.id}`)).json<{ url: string }>()).url).toBe(receiver.url);
  });
});

describe("attack: the webhook secret after the answer that made it", () => {
  it("is nowhere an admin can read again: list, read, deliveries, dead letters, audit, the events' payloads, storage in clear", async () => {
    const { base, tenantId } = await aTenant();
    const receiver = await aReceiver();
    const hook = await aWebhook(base, receiver, ["*"], { status: 500 });
    const rotated = await (await webhooksApi(base, "POST", `/webhooks/${hook.id}/rotate-secret`)).json<{ secret: string }>();
    await env.EVENTS.sendBatch([{ body: anEvent(tenantId, "sec", { type: "verify.ok" }), contentType: "json" }]);
    await until(async () => (await deadLetters(base)).some((dead) => dead.queue === "stepgate-webhooks"), "a dead delivery");
    const texts = [
      await (await webhooksApi(base, "GET", "/webhooks")).text(),
      await (await webhooksApi(base, "GET", `/webhooks/${hook.id}`)).text(),
      await (await webhooksApi(base, "GET", `/webhooks/${hook.id}/deliveries`)).text(),
      await (await webhooksApi(base, "GET", "/events/dead?limit=200")).text(),
      await (await webhooksApi(base, "GET", "/audit?limit=200")).text(),
      ...(await received(receiver.name)).map((delivery) => JSON.stringify(delivery.body)),
      await runInDurableObject(tenantState(env, tenantId), (_, state) => {
        const tables = state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
          .toArray();
        return tables.map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray())).join("\n");
      }),
    ];
    for (const secret of [hook.secret, rotated.secret]) {
      const key = secret.slice("whsec_".length);
      for (const text of texts) expect(text).not.toContain(key);
    }
  });
});

describe("attack: a webhooks:write key and pings", () => {
  it("limits how many pings one key may queue (each is a POST, retried ~20 times over 9 h, to any public URL)", async () => {
    const { base } = await aTenant();
    const receiver = await aReceiver();
    const hook = await aWebhook(base, receiver, ["webhook.none"], { status: 204, enabled: false });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await webhooksApi(base, "POST", `/webhooks/${hook.id}/test`)).status);
    // Today: 60 × 202, each ping a queue message and a POST, retried when the endpoint fails.
    expect(statuses).toContain(429);
  });
});
