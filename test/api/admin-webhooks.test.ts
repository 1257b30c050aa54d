/**
 * The admin API's `/webhooks` (docs/webhooks.md): making, reading, changing and deleting a
 * webhook, its secret (shown once, stored sealed, rotated), what it refuses (a destination only
 * the worker's network reaches, malformed event types, more than 20), the scope it needs, and
 * the audit of every change. Deliveries are test/flows/webhook-delivery.test.ts's.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantState } from "../../src/state/tenant";
import { aTenantKey, keyHeaders } from "../support/admin";
import { aTenant } from "../support/builders";
import { aReceiver, webhooksApi } from "../support/webhooks";

type Webhook = {
  id: string;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
  previousSecretValidUntil: string | null;
  secret?: string;
};
type Problem = { code: string; errors?: Array<{ pointer: string; detail: string }>; requiredScope?: string };

const RECEIVER = "https://hooks.example.com/stepgate";

async function made(base: string, body: unknown, headers?: Record<string, string>): Promise<Webhook> {
  const response = await webhooksApi(base, "POST", "/webhooks", body, headers);
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<Webhook>();
}

/** The pointers a 422 names. */
async function refusedAt(response: Response): Promise<string[]> {
  expect(response.status).toBe(422);
  const problem = await response.json<Problem>();
  expect(problem.code).toBe("validation_failed");
  return problem.errors!.map((error) => error.pointer);
}

describe("making a webhook", () => {
  it("answers 201 with its secret, once: whsec_ and 32 random bytes, never listed or read again", async () => {
    const { base } = await aTenant();
    const response = await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: ["verify.*", "factor.enrolled"], description: "SIEM" });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const webhook = await response.json<Webhook>();
    expect(webhook).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{16}$/),
      url: RECEIVER,
      eventTypes: ["verify.*", "factor.enrolled"],
      description: "SIEM",
      enabled: true,
      disabledReason: null,
      createdAt: expect.any(String),
      createdBy: "bootstrap",
      previousSecretValidUntil: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(response.headers.get("Location")).toBe(`/__stepgate/admin/v1/webhooks/${webhook.id}`);

    const { secret, ...shown } = webhook;
    expect(await (await webhooksApi(base, "GET", "/webhooks")).json()).toEqual({ webhooks: [shown] });
    const one = await webhooksApi(base, "GET", `/webhooks/${webhook.id}`);
    expect(await one.json()).toEqual(shown);
    expect(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}/deliveries`)).json()).toEqual({ deliveries: [] });
    expect(JSON.stringify(await (await webhooksApi(base, "GET", "/audit")).json())).not.toContain(secret!.slice(6));
  });

  it("keeps the secret sealed under stepgate's key, never in clear", async () => {
    const { base, tenantId } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"] });
    const stored = await runInDurableObject(tenantState(env, tenantId), (_, state) =>
      state.storage.sql.exec<{ secret_sealed: string }>("SELECT secret_sealed FROM webhooks WHERE id = ?", webhook.id).one(),
    );
    expect(stored.secret_sealed).toMatch(/^v1\.t2\./);
    expect(stored.secret_sealed).not.toContain(webhook.secret!.slice(6));
  });

  it("takes an event type exactly, a prefix ending in .*, or *, each once; and refuses anything else naming it", async () => {
    const { base } = await aTenant();
    const ok = await made(base, { url: RECEIVER, eventTypes: ["verify.failed", "backup_codes.*", "*", "verify.failed"] });
    expect(ok.eventTypes).toEqual(["verify.failed", "backup_codes.*", "*"]);
    for (const bad of ["verify", "Verify.failed", "verify.**", "verify*", ".failed", "verify..failed", "", "verify.failed ", "*.failed"]) {
      const response = await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: ["verify.ok", bad] });
      expect(await refusedAt(response), JSON.stringify(bad)).toEqual(["#/eventTypes/1"]);
    }
    expect(await refusedAt(await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: [] }))).toEqual(["#/eventTypes"]);
    expect(await refusedAt(await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: ["*"], description: "bell\u0007" }))).toEqual([
      "#/description",
    ]);
    expect(await refusedAt(await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: ["*"], secret: "whsec_mine" }))).toEqual(["#/secret"]);
    expect(await refusedAt(await webhooksApi(base, "POST", "/webhooks", { eventTypes: ["*"] }))).toEqual(["#/url"]);
  });

  it("refuses a URL to a private, link-local, metadata or reserved address however it is spelled, or not https, naming #/url", async () => {
    const { base } = await aTenant();
    const refused = [
      "https://169.254.169.254/latest/meta-data/",
      "https://0xa9.0xfe.0xa9.0xfe/",
      "https://2852039166/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://metadata/",
      "https://10.0.0.1/hook",
      "https://172.16.0.1/hook",
      "https://192.168.1.1/hook",
      "https://100.64.0.1/hook",
      "https://0.0.0.0/hook",
      "https://[fd00::1]/hook",
      "https://[fe80::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://[::ffff:10.0.0.1]/hook",
      "https://[64:ff9b::a9fe:a9fe]/hook",
      "https://hooks.corp/hook",
      "ftp://hooks.example.com/",
      "javascript:alert(1)",
      "hooks.example.com/stepgate",
      "https://user:password@hooks.example.com/",
    ];
    for (const url of refused) {
      const response = await webhooksApi(base, "POST", "/webhooks", { url, eventTypes: ["*"] });
      expect(await refusedAt(response), url).toEqual(["#/url"]);
    }
    expect(await (await webhooksApi(base, "GET", "/webhooks")).json()).toEqual({ webhooks: [] });
    // Development (these tests' STEPGATE_ENV) allows loopback and plain http, for the local receivers;
    // production refuses both (test/config/unsafe-destinations.test.ts).
    await made(base, { url: "http://127.0.0.1:9/hook", eventTypes: ["*"] });
  });

  it("refuses a URL with spaces, tabs, line breaks or control characters (a URL parser drops or re-spells them unseen), naming #/url", async () => {
    const { base } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"] });
    for (const url of [
      "https://siem.acme.example\t.evil.example/\nhook",
      "https://siem.acme.example\r\n.evil.example/hook",
      "https://siem.acme.example/my hook",
      "https://siem.acme.example\u00a0.evil.example/hook",
      "https://siem.acme.example/\u0000hook",
      "https://siem.acme.example/\u007fhook",
    ]) {
      expect(await refusedAt(await webhooksApi(base, "POST", "/webhooks", { url, eventTypes: ["*"] })), JSON.stringify(url)).toEqual(["#/url"]);
      expect(await refusedAt(await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, { url })), JSON.stringify(url)).toEqual(["#/url"]);
    }
    // Around it, spaces are only copy and paste: trimmed.
    expect((await made(base, { url: ` ${RECEIVER}\n`, eventTypes: ["*"] })).url).toBe(RECEIVER);
  });

  it("stores, lists and audits a URL as fetch reads it: where the events go is what admins see", async () => {
    const { base } = await aTenant();
    const spellings = [
      ["https://SIEM.Acme.Example:443/a/./b/../hook", "https://siem.acme.example/a/hook"],
      // An ideographic full stop is a dot to the URL parser: one host, not two.
      ["https://siem.acme.example\u3002evil.example/hook", "https://siem.acme.example.evil.example/hook"],
      ["https://bücher.example/hook", "https://xn--bcher-kva.example/hook"],
      ["https://hooks.example.com", "https://hooks.example.com/"],
    ] as const;
    for (const [written, fetched] of spellings) expect((await made(base, { url: written, eventTypes: ["*"] })).url, written).toBe(fetched);
    const listed = (await (await webhooksApi(base, "GET", "/webhooks")).json<{ webhooks: Webhook[] }>()).webhooks;
    expect(listed.map((webhook) => webhook.url)).toEqual(spellings.map(([, fetched]) => fetched));
    const changed = await webhooksApi(base, "PATCH", `/webhooks/${listed[0]!.id}`, { url: "https://SIEM.acme.example/%7Ehook" });
    expect(await changed.json()).toMatchObject({ url: "https://siem.acme.example/%7Ehook" });
    const { entries } = await (await webhooksApi(base, "GET", "/audit?type=webhook.*")).json<{ entries: Array<{ detail: { url?: string } }> }>();
    expect(entries.map((entry) => entry.detail.url)).toEqual(["https://siem.acme.example/%7Ehook", ...spellings.map(([, fetched]) => fetched).reverse()]);
  });

  it("shows a URL stored before URLs were stored as fetched (a tab in its host) as fetch reads it", async () => {
    const { base, tenantId } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"] });
    await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      state.storage.sql.exec("UPDATE webhooks SET url = ? WHERE id = ?", "https://siem.acme.example\t.evil.example/\nhook", webhook.id);
    });
    expect(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}`)).json()).toMatchObject({ url: "https://siem.acme.example.evil.example/hook" });
  });

  it("allows 20 webhooks to a tenant and refuses the 21st with 409", async () => {
    const { base } = await aTenant();
    for (let i = 0; i < 20; i++) await made(base, { url: `${RECEIVER}/${i}`, eventTypes: ["*"] });
    const refused = await webhooksApi(base, "POST", "/webhooks", { url: RECEIVER, eventTypes: ["*"] });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "too_many_webhooks" });
    expect((await (await webhooksApi(base, "GET", "/webhooks")).json<{ webhooks: Webhook[] }>()).webhooks).toHaveLength(20);
  });
});

describe("changing, rotating and deleting a webhook", () => {
  it("changes what is named and nothing else, with the same URL rule (422 naming #/url)", async () => {
    const { base } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"], description: "first" });
    const changed = await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, { eventTypes: ["lockout.*"], enabled: false });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ url: RECEIVER, eventTypes: ["lockout.*"], description: "first", enabled: false });
    expect(await refusedAt(await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, { url: "https://169.254.169.254/" }))).toEqual(["#/url"]);
    expect(await refusedAt(await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, {}))).toEqual(["#/"]);
    expect((await webhooksApi(base, "PATCH", "/webhooks/wh_0000000000000000", { enabled: true })).status).toBe(404);
    expect(await (await webhooksApi(base, "GET", `/webhooks/${webhook.id}`)).json()).toMatchObject({ url: RECEIVER, enabled: false });
  });

  it("rotates the secret: a new one shown once, the previous one signing beside it for 24 hours", async () => {
    const { base, tenantId } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"] });
    const response = await webhooksApi(base, "POST", `/webhooks/${webhook.id}/rotate-secret`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const rotated = await response.json<Webhook>();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(webhook.secret);
    const validUntil = Date.parse(rotated.previousSecretValidUntil!);
    expect(validUntil - Date.now()).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(validUntil - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    const [endpoint] = await tenantState(env, tenantId).webhookDeliveries([{ webhookId: webhook.id, eventId: "u-00-1" }]);
    expect(endpoint?.secrets).toEqual([rotated.secret, webhook.secret]);
    expect((await webhooksApi(base, "POST", "/webhooks/wh_0000000000000000/rotate-secret")).status).toBe(404);
  });

  it("deletes at once: gone from the list, 404 after", async () => {
    const { base } = await aTenant();
    const webhook = await made(base, { url: RECEIVER, eventTypes: ["*"] });
    expect((await webhooksApi(base, "DELETE", `/webhooks/${webhook.id}`)).status).toBe(204);
    expect(await (await webhooksApi(base, "GET", "/webhooks")).json()).toEqual({ webhooks: [] });
    for (const [method, path] of [
      ["GET", ""],
      ["DELETE", ""],
      ["POST", "/test"],
      ["GET", "/deliveries"],
    ]) {
      const response = await webhooksApi(base, method!, `/webhooks/${webhook.id}${path}`);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ code: "webhook_not_found" });
    }
  });

  it("audits every change with who made it, never the secret", async () => {
    const { base } = await aTenant();
    const { key, id: keyId } = await aTenantKey(base, ["webhooks:write"], "webhook admin");
    const receiver = await aReceiver();
    const webhook = await made(base, { url: receiver.url, eventTypes: ["verify.*"] }, keyHeaders(key));
    await webhooksApi(base, "PATCH", `/webhooks/${webhook.id}`, { description: "SIEM" }, keyHeaders(key));
    const rotated = await (await webhooksApi(base, "POST", `/webhooks/${webhook.id}/rotate-secret`, undefined, keyHeaders(key))).json<Webhook>();
    await webhooksApi(base, "DELETE", `/webhooks/${webhook.id}`, undefined, keyHeaders(key));

    const { entries } = await (await webhooksApi(base, "GET", "/audit?type=webhook.*")).json<{
      entries: Array<{ type: string; actor: string; detail: object }>;
    }>();
    expect(entries.map((entry) => [entry.type, entry.actor])).toEqual([
      ["webhook.deleted", `key:${keyId}`],
      ["webhook.rotated", `key:${keyId}`],
      ["webhook.updated", `key:${keyId}`],
      ["webhook.created", `key:${keyId}`],
    ]);
    expect(entries.at(-1)!.detail).toEqual({ webhookId: webhook.id, url: receiver.url, eventTypes: ["verify.*"], enabled: true });
    expect(entries[2]!.detail).toEqual({ webhookId: webhook.id, description: "SIEM" });
    const text = JSON.stringify(entries);
    for (const secret of [webhook.secret!, rotated.secret!]) expect(text).not.toContain(secret.slice(6));
  });
});

describe("the webhooks:write scope", () => {
  it("is needed for every webhook route (403 naming it), and enough for all of them", async () => {
    const { base } = await aTenant();
    // A local receiver: the ping below is delivered.
    const webhook = await made(base, { url: (await aReceiver({ status: 204 })).url, eventTypes: ["*"] });
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/webhooks"],
      ["POST", "/webhooks", { url: RECEIVER, eventTypes: ["*"] }],
      ["GET", `/webhooks/${webhook.id}`],
      ["PATCH", `/webhooks/${webhook.id}`, { description: "x" }],
      ["GET", `/webhooks/${webhook.id}/deliveries`],
      ["POST", `/webhooks/${webhook.id}/test`],
      ["POST", `/webhooks/${webhook.id}/rotate-secret`],
      ["DELETE", `/webhooks/${webhook.id}`],
    ];
    const { key: without } = await aTenantKey(base, ["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write"]);
    for (const [method, path, body] of routes) {
      const response = await webhooksApi(base, method, path, body, keyHeaders(without));
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json()).toMatchObject({ code: "insufficient_scope", requiredScope: "webhooks:write" });
    }
    const { key: holder } = await aTenantKey(base, ["webhooks:write"]);
    for (const [method, path, body] of routes) {
      const response = await webhooksApi(base, method, path, body, keyHeaders(holder));
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
    }
  });
});
