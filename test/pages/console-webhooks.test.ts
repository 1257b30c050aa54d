/**
 * The console's webhooks: the tenant's webhooks listed (never their secrets) with how each last
 * delivery fared; one added from the form, its signing secret shown once and proven the one that
 * signs (a real delivery to a receiver on the fixture origin, verified by the `standardwebhooks`
 * package); one changed, tested, its secret rotated, deleted after a confirmation; each refusal
 * said beside its field in the page's language with nothing written; all of it behind
 * `webhooks:write` and the form's token, and audited as the console's admin.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantState } from "../../src/state/tenant";
import { adminGet, aTenantKey } from "../support/admin";
import { aTenant } from "../support/builders";
import { type ConsoleAdmin, signedIn } from "../support/console";
import { until } from "../support/events";
import { aReceiver, aWebhook, receivedAtLeast, webhooksApi } from "../support/webhooks";

type Webhook = { id: string; url: string; eventTypes: string[]; description: string; enabled: boolean; disabledReason: string | null; createdBy: string };
type Attempt = { eventId: string; type: string; attempt: number; status: number | null; delivered: boolean };
type AuditEntry = { type: string; actor: string | null; detail: Record<string, unknown> };

const SIEM = "https://siem.example.com/stepgate";

/** An admin signed in to the console with a tenant key holding `scopes`, and that key's id. */
async function aWebhookAdmin(scopes = ["webhooks:write"]): Promise<ConsoleAdmin & { keyId: string }> {
  const { base, tenantId } = await aTenant();
  const { id, key } = await aTenantKey(base, scopes, "console admin");
  return { ...(await signedIn(base, tenantId, key)), keyId: id };
}

async function webhooks(base: string): Promise<Webhook[]> {
  return (await (await webhooksApi(base, "GET", "/webhooks")).json<{ webhooks: Webhook[] }>()).webhooks;
}

async function attempts(base: string, id: string): Promise<Attempt[]> {
  return (await (await webhooksApi(base, "GET", `/webhooks/${id}/deliveries`)).json<{ deliveries: Attempt[] }>()).deliveries;
}

async function webhookAudit(base: string): Promise<AuditEntry[]> {
  return (await adminGet<{ entries: AuditEntry[] }>(`${base}/__stepgate/admin/v1/audit?type=webhook.*`)).entries;
}

/** A webhook made through the admin API with the bootstrap key. */
async function aStoredWebhook(base: string, body: Record<string, unknown>): Promise<Webhook & { secret: string }> {
  const response = await webhooksApi(base, "POST", "/webhooks", body);
  expect(response.status).toBe(201);
  return response.json();
}

/** The signing secret in the page's read-only field, if it shows one. */
function shownSecret(html: string): string | null {
  const field = /<input[^>]*id="new-key"[^>]*>/.exec(html)?.[0];
  return field ? /value="([^"]+)"/.exec(field)![1]! : null;
}

/** The text of the refusal with `id` (markup kept), or `undefined`. */
function refusal(html: string, id: string): string | undefined {
  return new RegExp(`<p class="error" role="alert" id="${id}">([\\s\\S]*?)</p>`).exec(html)?.[1];
}

/** The `eventTypes` checkboxes ticked on the page. */
function ticked(html: string): string[] {
  return [...html.matchAll(/<input type="checkbox" name="eventTypes" value="([^"]+)" checked=""/g)].map((m) => m[1]!);
}

describe("the console's webhooks", () => {
  it("lists each webhook's address, events in words, state, maker and last delivery, never a secret", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const live = await aWebhook(admin.base, receiver, ["verify.*", "lockout.started", "fraud.flagged"]);
    const quiet = await aStoredWebhook(admin.base, { url: SIEM, eventTypes: ["*"], description: "SIEM", enabled: false });
    await webhooksApi(admin.base, "POST", `/webhooks/${live.id}/test`);
    await until(async () => (await attempts(admin.base, live.id)).length === 1, "the ping's delivery");

    const html = await admin.html("/webhooks");
    expect(html).toContain('<a href="/__stepgate/admin/webhooks" aria-current="page">Webhooks</a>');
    const row = (id: string) => new RegExp(`<tr data-webhook="${id}">[\\s\\S]*?</tr>`).exec(html)![0];
    expect(row(live.id)).toContain(`<code class="url">${receiver.url}</code>`);
    expect([...row(live.id).matchAll(/<li data-event-type="([^"]+)">([^<]*)</g)].map((m) => [m[1], m[2]!.trim()])).toEqual([
      ["verify.*", "Verifications: all"],
      ["lockout.started", "Locked after wrong codes"],
      ["fraud.flagged", ""],
    ]);
    expect(row(live.id)).toContain("<td>On</td>");
    expect(row(live.id)).toMatch(/<td class="last-delivery"><strong class="delivered">Delivered<\/strong> <code>204<\/code><div class="muted">/);
    expect(row(live.id)).toContain(", by the bootstrap key</td>");
    expect(row(live.id)).toContain(`href="/__stepgate/admin/webhooks/${live.id}"`);
    expect(row(live.id)).toContain(`href="/__stepgate/admin/webhooks/${live.id}/delete"`);
    expect(row(quiet.id)).toContain('<div class="muted">SIEM</div>');
    expect(row(quiet.id)).toContain('<li data-event-type="*">Every event, those added later too <code>*</code></li>');
    expect(row(quiet.id)).toContain("<td>Off</td>");
    expect(row(quiet.id)).toContain('<td class="last-delivery">None yet</td>');
    for (const secret of [live.secret, quiet.secret]) expect(html).not.toContain(secret.slice("whsec_".length));
  });

  it("adds a webhook from the form and shows its signing secret once: the secret the deliveries are signed with", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const response = await admin.post("/webhooks", {
      url: ` ${receiver.url} `,
      description: "Fraud desk",
      eventTypes: ["verify.*", "verify.failed", "lockout.*"],
      more: "fraud.flagged, factor.*",
      enabled: "on",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const html = await response.text();
    const secret = shownSecret(html)!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(html).toContain("<h1>Webhook added</h1>");
    expect(html).toContain("Copy it now and keep it somewhere safe: it is not shown again.");
    expect(html).toContain('<button type="button" class="secondary" id="copy-key" hidden="">Copy the secret</button>');
    const nonce = /<script nonce="([^"]+)">/.exec(html)![1]!;
    expect(response.headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}'`);

    // `verify.failed` is in `verify.*`: the webhook asks for the group, and the types typed beside it.
    const [made] = await webhooks(admin.base);
    expect(made).toMatchObject({
      url: receiver.url,
      description: "Fraud desk",
      eventTypes: ["verify.*", "lockout.*", "fraud.flagged", "factor.*"],
      enabled: true,
      createdBy: `key:${admin.keyId}`,
    });
    expect(html).toContain(`href="/__stepgate/admin/webhooks/${made!.id}"`);
    expect((await webhookAudit(admin.base))[0]).toMatchObject({ type: "webhook.created", actor: `key:${admin.keyId}`, detail: { webhookId: made!.id } });

    // The receiver, given the secret the page showed, verifies a delivery signed by stepgate.
    await receiver.set({ secrets: [secret] });
    expect((await admin.post(`/webhooks/${made!.id}/test`, {})).status).toBe(303);
    const [ping] = await receivedAtLeast(receiver.name, 1);
    expect(ping!.verifiedWith).toEqual([0]);

    for (const path of ["/webhooks", `/webhooks/${made!.id}`, `/webhooks/${made!.id}/delete`]) {
      const again = await admin.html(path);
      expect(shownSecret(again), path).toBeNull();
      expect(again, path).not.toContain(secret.slice("whsec_".length));
    }
  });

  it.each<[string, Record<string, string | string[]>, Record<string, string>]>([
    [
      "nothing filled in",
      { url: "", eventTypes: [], more: "" },
      { url: "Enter the address events are sent to.", events: "Choose at least one event, or write one below." },
    ],
    [
      "a private address",
      { url: "https://10.0.0.7/hook", eventTypes: ["*"] },
      { url: "<code>10.0.0.7</code> is a private or local address. Events are sent only to hosts on the public internet." },
    ],
    [
      "the cloud metadata address",
      { url: "https://169.254.169.254/latest/meta-data", eventTypes: ["*"] },
      { url: "<code>169.254.169.254</code> is a private or local address. Events are sent only to hosts on the public internet." },
    ],
    [
      "a local name",
      { url: "https://metadata.internal/hook", eventTypes: ["*"] },
      { url: "<code>metadata.internal</code> is a name only a local network knows. Events are sent only to hosts on the public internet." },
    ],
    ["no scheme", { url: "hooks.example.com/stepgate", eventTypes: ["*"] }, { url: "Enter a full address, starting with <code>https://</code>." }],
    [
      "a password in it",
      { url: "https://ops:s3cret@hooks.example.com/", eventTypes: ["*"] },
      {
        url: "Take the user name and password out of the address: every administrator who lists the webhooks sees it, and the receiving system checks each delivery&#39;s signature instead.",
      },
    ],
    [
      "a space in the address (dropped unseen by a URL parser)",
      { url: "https://siem.acme.example .evil.example/hook", eventTypes: ["*"] },
      {
        url: "Take the spaces, tabs and line breaks out of the address: they are dropped when it is used, so the address shown would not be the one events go to.",
      },
    ],
    [
      "patterns that are no event types",
      { url: SIEM, eventTypes: [], more: "Verify.Failed, verify*" },
      {
        more: "Not event types: <code>Verify.Failed</code>, <code>verify*</code>. Write an exact type such as <code>verify.failed</code>, a group such as <code>verify.*</code>, or <code>*</code> for every event.",
      },
    ],
    [
      "a control character in the description",
      { url: SIEM, eventTypes: ["*"], description: "bell\u0007" },
      { description: "A description has at most 200 characters and no control characters." },
    ],
    [
      "more types than a webhook takes",
      { url: SIEM, eventTypes: [], more: Array.from({ length: 21 }, (_, i) => `custom.type_${i}`).join(" ") },
      { events: "A webhook takes at most 20 event types and groups. Choose a whole group rather than its types one by one." },
    ],
  ])("refuses %s beside the field (422), keeping what was typed, and makes nothing", async (_case, fields, errors) => {
    const admin = await aWebhookAdmin();
    const response = await admin.post("/webhooks", fields);
    expect(response.status).toBe(422);
    const html = await response.text();
    const shown = {
      url: refusal(html, "webhook-url-error"),
      description: refusal(html, "webhook-description-error"),
      events: refusal(html, "webhook-events-error"),
      more: refusal(html, "webhook-more-error"),
    };
    expect(Object.fromEntries(Object.entries(shown).filter(([, text]) => text !== undefined))).toEqual(errors);
    if (errors.url) expect(html).toMatch(/id="webhook-url"[^>]*aria-invalid="true" aria-describedby="webhook-url-hint webhook-url-error"/);
    if (errors.more) expect(html).toMatch(/id="webhook-more"[^>]*aria-invalid="true" aria-describedby="webhook-more-hint webhook-more-error"/);
    if (errors.events) expect(html).toContain('<fieldset class="event-choices" aria-describedby="webhook-events-error">');
    expect(html).toMatch(new RegExp(`name="url" value="${(fields.url as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
    if (fields.more) expect(html).toContain(`name="more" value="${fields.more}"`);
    expect(ticked(html)).toEqual(fields.eventTypes);
    expect(await webhooks(admin.base)).toEqual([]);
    expect(await webhookAudit(admin.base)).toEqual([]);
  });

  it("says a refusal in the page's language", async () => {
    const admin = await aWebhookAdmin();
    const french = { Cookie: `${admin.cookie}; __Host-stepgate-lang=fr` };
    const response = await admin.post("/webhooks", { url: "https://192.168.1.20/hook", eventTypes: [], more: "" }, french);
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('<html lang="fr"');
    expect(refusal(html, "webhook-url-error")).toBe(
      "<code>192.168.1.20</code> est une adresse privée ou locale. Les événements ne sont envoyés qu&#39;à des hôtes de l&#39;Internet public.",
    );
    expect(refusal(html, "webhook-events-error")).toBe("Choisissez au moins un événement, ou saisissez-en un ci-dessous.");
  });

  it("offers the webhooks' own events (a group at once) and a replayed dead letter as checkboxes, in words", async () => {
    const admin = await aWebhookAdmin();
    const html = await admin.html("/webhooks");
    const offered = [...html.matchAll(/<input type="checkbox" name="eventTypes" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(offered).toEqual(expect.arrayContaining(["webhook.*", "webhook.created", "webhook.tested", "webhook.deleted", "event.replayed"]));
    for (const words of ["Webhooks", "Webhook added", "Webhook test event sent", "Webhook deleted", "Undelivered event sent again"])
      expect(html).toContain(words);
    const made = await admin.post("/webhooks", { url: SIEM, eventTypes: ["webhook.*", "webhook.deleted", "event.replayed"], enabled: "on" });
    expect(made.status).toBe(200);
    expect((await webhooks(admin.base))[0]!.eventTypes).toEqual(["webhook.*", "event.replayed"]);
  });

  it("refuses a webhook past the tenant's 20 on the form (409), keeping what was typed", async () => {
    const admin = await aWebhookAdmin();
    for (let i = 0; i < 20; i++) await aStoredWebhook(admin.base, { url: `${SIEM}/${i}`, eventTypes: ["*"] });
    const response = await admin.post("/webhooks", { url: `${SIEM}/21`, eventTypes: ["lockout.*"], enabled: "on" });
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(refusal(html, "webhook-limit-error")).toBe("This portal has 20 webhooks, the most it may have. First delete one it no longer needs.");
    expect(html).toContain(`name="url" value="${SIEM}/21"`);
    expect(ticked(html)).toEqual(["lockout.*"]);
    expect(shownSecret(html)).toBeNull();
    expect(await webhooks(admin.base)).toHaveLength(20);
  });

  it("changes a webhook from its page, writing only what changed, and refuses a private address keeping the rest", async () => {
    const admin = await aWebhookAdmin();
    const webhook = await aStoredWebhook(admin.base, { url: SIEM, eventTypes: ["verify.*", "fraud.flagged"], description: "SIEM" });
    const page = await admin.html(`/webhooks/${webhook.id}`);
    expect(page).toContain(
      `<details><summary>Change the settings</summary><form method="post" action="/__stepgate/admin/webhooks/${webhook.id}" novalidate="">`,
    );
    expect(page).toContain(`name="url" value="${SIEM}"`);
    expect(ticked(page)).toEqual(["verify.*"]);
    expect(page).toContain('name="more" value="fraud.flagged"');
    expect(page).toMatch(/<input type="checkbox" name="enabled" value="on" checked=""/);

    const saved = await admin.post(`/webhooks/${webhook.id}`, { url: SIEM, description: "SIEM", eventTypes: ["lockout.*"], more: "fraud.flagged" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`/__stepgate/admin/webhooks/${webhook.id}?done=saved`);
    expect((await webhooks(admin.base))[0]).toMatchObject({ url: SIEM, description: "SIEM", eventTypes: ["lockout.*", "fraud.flagged"], enabled: false });
    expect((await webhookAudit(admin.base))[0]).toEqual(
      expect.objectContaining({
        type: "webhook.updated",
        actor: `key:${admin.keyId}`,
        detail: { webhookId: webhook.id, eventTypes: ["lockout.*", "fraud.flagged"], enabled: false },
      }),
    );
    expect(await admin.html(`/webhooks/${webhook.id}?done=saved`)).toContain('<p role="status" id="notice">The changes were saved.</p>');

    // The same form again changes nothing, and records nothing.
    const same = await admin.post(`/webhooks/${webhook.id}`, { url: SIEM, description: "SIEM", eventTypes: ["lockout.*"], more: "fraud.flagged" });
    expect(same.headers.get("Location")).toBe(`/__stepgate/admin/webhooks/${webhook.id}?done=unchanged`);
    expect(await webhookAudit(admin.base)).toHaveLength(2);

    const refused = await admin.post(`/webhooks/${webhook.id}`, {
      url: "https://[::ffff:10.0.0.1]/hook",
      description: "moved",
      eventTypes: ["*"],
      enabled: "on",
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(refusal(html, "webhook-url-error")).toContain("is a private or local address.");
    // The folded settings are open where the refusal is.
    expect(html).toContain('<details open=""><summary>Change the settings</summary>');
    expect(html).toContain('name="description" value="moved"');
    expect(ticked(html)).toEqual(["*"]);
    expect((await webhooks(admin.base))[0]).toMatchObject({ url: SIEM, description: "SIEM", eventTypes: ["lockout.*", "fraud.flagged"], enabled: false });
  });

  it("shows a webhook stepgate turned off because its receiver is gone, and turns it on again", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const webhook = await aWebhook(admin.base, receiver, ["*"], { status: 410 });
    await webhooksApi(admin.base, "POST", `/webhooks/${webhook.id}/test`);
    await until(async () => (await webhooks(admin.base))[0]!.disabledReason === "gone", "the webhook turned off");
    const list = await admin.html("/webhooks");
    expect(list).toContain("<td>Off: the receiver answered that this address is gone (410)</td>");
    expect(list).toMatch(/<strong class="failed">Failed<\/strong> <code>410<\/code>/);

    const page = await admin.html(`/webhooks/${webhook.id}`);
    expect(page).not.toMatch(/name="enabled" value="on" checked=""/);
    const on = await admin.post(`/webhooks/${webhook.id}`, { url: receiver.url, description: "test receiver", eventTypes: ["*"], enabled: "on" });
    expect(on.headers.get("Location")).toBe(`/__stepgate/admin/webhooks/${webhook.id}?done=saved`);
    expect((await webhooks(admin.base))[0]).toMatchObject({ enabled: true, disabledReason: null });
  });

  it("sends a test event, tried once, and lists each attempt on the webhook's page: time, event, attempt, result, HTTP status", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const webhook = await aWebhook(admin.base, receiver, ["verify.failed"], { failFirst: 1 });
    const before = await admin.html(`/webhooks/${webhook.id}`);
    expect(before).toContain("Nothing has been sent to it yet. Send a test event to check it.");
    expect(before).toContain(
      '<p class="muted">A test event is tried once: if it fails, it is not tried again or kept with the undelivered events. This portal may send 10 a minute.</p>',
    );

    const sent = await admin.post(`/webhooks/${webhook.id}/test`, {});
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`/__stepgate/admin/webhooks/${webhook.id}?done=tested`);
    expect(await admin.html(`/webhooks/${webhook.id}?done=tested`)).toContain('<p role="status" id="notice">A test event is on its way.');
    // The receiver fails the first test event, which is not tried again; the admin sends another, which it takes.
    const [first] = await receivedAtLeast(receiver.name, 1);
    expect(first!.status).toBe(500);
    await until(async () => (await attempts(admin.base, webhook.id)).length === 1, "the first attempt listed");
    expect((await admin.post(`/webhooks/${webhook.id}/test`, {})).status).toBe(303);
    const [, second] = await receivedAtLeast(receiver.name, 2);
    expect(second!.status).toBe(204);
    expect(second!.verifiedWith).toEqual([0]);
    await until(async () => (await attempts(admin.base, webhook.id)).length === 2, "both attempts listed");

    const html = await admin.html(`/webhooks/${webhook.id}`);
    const rows = [...html.matchAll(/<tr data-event="([^"]+)" data-attempt="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
      event: m[1],
      attempt: m[2],
      cells: [...m[3]!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]),
    }));
    expect(rows.map((row) => [row.event, row.attempt, ...row.cells.slice(1)])).toEqual([
      [second!.headers["webhook-id"], "1", "Test event <code>webhook.test</code>", "1", '<strong class="delivered">Delivered</strong>', "<code>204</code>"],
      [first!.headers["webhook-id"], "1", "Test event <code>webhook.test</code>", "1", '<strong class="failed">Failed</strong>', "<code>500</code>"],
    ]);
    expect(rows[0]!.cells[0]).toMatch(/\d/);
    expect((await webhookAudit(admin.base)).filter((entry) => entry.type === "webhook.tested")).toMatchObject([
      { actor: `key:${admin.keyId}`, detail: { webhookId: webhook.id, eventId: second!.headers["webhook-id"] } },
      { actor: `key:${admin.keyId}`, detail: { webhookId: webhook.id, eventId: first!.headers["webhook-id"] } },
    ]);
  });

  it("refuses a test event past the portal's 10 a minute beside its button (429, Retry-After), in the page's language, sending nothing", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const webhook = await aWebhook(admin.base, receiver, ["*"]);
    for (let i = 0; i < 10; i++) expect((await admin.post(`/webhooks/${webhook.id}/test`, {})).status).toBe(303);
    const refused = await admin.post(`/webhooks/${webhook.id}/test`, {});
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(refusal(html, "test-error")).toMatch(
      /^Not sent: this portal has sent 10 test events in the last minute, the most it may\. Try again in \d+\s+seconds?\.$/,
    );
    expect(html).toContain('<button type="submit" class="secondary" aria-describedby="test-error">Send a test event</button>');
    expect(html).toContain('<h2 id="deliveries-heading">Deliveries</h2>');
    const french = await admin.post(`/webhooks/${webhook.id}/test`, {}, { Cookie: `${admin.cookie}; __Host-stepgate-lang=fr` });
    expect(french.status).toBe(429);
    expect(refusal(await french.text(), "test-error")).toMatch(
      /^Non envoyé : ce portail a envoyé 10 événements de test dans la dernière minute, le maximum autorisé\. Réessayez dans \d+\s+secondes?\.$/,
    );
    await until(async () => (await attempts(admin.base, webhook.id)).length === 10, "the ten pings' attempts");
    expect((await webhookAudit(admin.base)).filter((entry) => entry.type === "webhook.tested")).toHaveLength(10);
  });

  it("makes a new signing secret, shown once, the old one signing beside it for 24 hours", async () => {
    const admin = await aWebhookAdmin();
    const receiver = await aReceiver();
    const webhook = await aWebhook(admin.base, receiver, ["*"]);
    const page = await admin.html(`/webhooks/${webhook.id}`);
    expect(page).toContain("For 24 hours the old secret keeps signing beside the new one");
    expect(page).toContain(`<form method="post" action="/__stepgate/admin/webhooks/${webhook.id}/rotate">`);

    const response = await admin.post(`/webhooks/${webhook.id}/rotate`, {});
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("<h1>New signing secret</h1>");
    expect(html).toMatch(/<p id="overlap">The old secret keeps signing beside it until [^<]+: give the receiving system the new one before then.<\/p>/);
    const secret = shownSecret(html)!;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(webhook.secret);
    expect((await webhookAudit(admin.base))[0]).toMatchObject({ type: "webhook.rotated", actor: `key:${admin.keyId}` });

    // Both secrets sign for now: the receiver checks each on its own.
    await receiver.set({ secrets: [webhook.secret, secret] });
    await admin.post(`/webhooks/${webhook.id}/test`, {});
    const [ping] = await receivedAtLeast(receiver.name, 1);
    expect(ping!.verifiedWith).toEqual([0, 1]);
    const after = await admin.html(`/webhooks/${webhook.id}`);
    expect(after).toMatch(/<p id="previous-secret">The previous secret still signs until [^<]+\. Making another new secret now stops that one at once.<\/p>/);
    expect(shownSecret(after)).toBeNull();
    expect(after).not.toContain(secret.slice("whsec_".length));
  });

  it("deletes a webhook after a confirmation naming it, and says so", async () => {
    const admin = await aWebhookAdmin();
    const webhook = await aStoredWebhook(admin.base, { url: SIEM, eventTypes: ["verify.*"] });
    const confirm = await admin.html(`/webhooks/${webhook.id}/delete`);
    expect(confirm).toContain(`<p id="subject">The webhook for <code class="url">${SIEM}</code>, which receives:</p>`);
    expect(confirm).toContain('<li data-event-type="verify.*">Verifications: all <code>verify.*</code></li>');
    expect(confirm).toContain(`<form method="post" action="/__stepgate/admin/webhooks/${webhook.id}/delete">`);
    // Showing the confirmation deletes nothing.
    expect(await webhooks(admin.base)).toHaveLength(1);

    const deleted = await admin.post(`/webhooks/${webhook.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("Location")).toBe("/__stepgate/admin/webhooks?deleted");
    expect(await webhooks(admin.base)).toEqual([]);
    expect((await webhookAudit(admin.base))[0]).toMatchObject({ type: "webhook.deleted", actor: `key:${admin.keyId}`, detail: { webhookId: webhook.id } });
    const list = await admin.html("/webhooks?deleted");
    expect(list).toContain('<p role="status" id="notice">The webhook was deleted.</p>');
    expect(list).toContain("There are no webhooks yet.");
    for (const path of [`/webhooks/${webhook.id}`, `/webhooks/${webhook.id}/delete`, "/webhooks/wh_not-an-id", "/webhooks/x"]) {
      expect((await admin.get(path)).status, path).toBe(404);
    }
    expect((await admin.post(`/webhooks/${webhook.id}/delete`, {})).status).toBe(404);
  });

  it("refuses an admin without webhooks:write every page and form here (403), and shows them no link to it", async () => {
    const admin = await aWebhookAdmin(["keys:write", "users:read"]);
    const webhook = await aStoredWebhook(admin.base, { url: SIEM, eventTypes: ["*"] });
    expect(await admin.html("/")).not.toContain("/__stepgate/admin/webhooks");
    const page = await admin.get("/webhooks");
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("Your role does not allow this part of the console.");
    for (const path of [`/webhooks/${webhook.id}`, `/webhooks/${webhook.id}/delete`]) expect((await admin.get(path)).status, path).toBe(403);
    const form = { url: "https://elsewhere.example.com/", eventTypes: ["*"], enabled: "on" };
    for (const path of [
      "/webhooks",
      `/webhooks/${webhook.id}`,
      `/webhooks/${webhook.id}/test`,
      `/webhooks/${webhook.id}/rotate`,
      `/webhooks/${webhook.id}/delete`,
    ]) {
      expect((await admin.post(path, form)).status, path).toBe(403);
    }
    expect((await webhooks(admin.base)).map((stored) => stored.url)).toEqual([SIEM]);
    expect((await tenantState(env, admin.tenantId).webhookDeliveries([{ webhookId: webhook.id, eventId: "u-00-1" }]))[0]?.secrets).toEqual([webhook.secret]);
    expect(await attempts(admin.base, webhook.id)).toEqual([]);
  });

  it("refuses every form without this session's token or from another site (403), changing nothing", async () => {
    const admin = await aWebhookAdmin();
    const webhook = await aStoredWebhook(admin.base, { url: SIEM, eventTypes: ["*"] });
    const form = { url: "https://elsewhere.example.com/", eventTypes: ["*"], enabled: "on" };
    for (const path of [
      "/webhooks",
      `/webhooks/${webhook.id}`,
      `/webhooks/${webhook.id}/test`,
      `/webhooks/${webhook.id}/rotate`,
      `/webhooks/${webhook.id}/delete`,
    ]) {
      expect((await admin.post(path, { ...form, csrf: "forged" })).status, path).toBe(403);
      expect((await admin.post(path, form, { Origin: "https://evil.test" })).status, path).toBe(403);
    }
    expect((await webhooks(admin.base)).map((stored) => stored.url)).toEqual([SIEM]);
    expect((await tenantState(env, admin.tenantId).webhookDeliveries([{ webhookId: webhook.id, eventId: "u-00-1" }]))[0]?.secrets).toEqual([webhook.secret]);
    expect(await attempts(admin.base, webhook.id)).toEqual([]);
    expect((await webhookAudit(admin.base)).map((entry) => entry.type)).toEqual(["webhook.created"]);
  });
});
