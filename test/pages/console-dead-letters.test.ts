/**
 * The console's "Undelivered events": the dead letters the admin API lists (`GET /events/dead`),
 * each in words — when stepgate gave up, what it was, the event, the user, what the endpoint last
 * answered where that is kept — paged, and sent again with a form for an admin holding the scope
 * that replay needs (the admin API's rule). Dead letters are made as they are in production:
 * a webhook whose endpoint fails every attempt, an alert whose SMTP server is down (the test
 * configuration only shortens the queues' retries, vitest.config.ts).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../src/state/events";
import { userState } from "../../src/state/user";
import { aTenantKey } from "../support/admin";
import { adminHeaders, aPolicy, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin, signedIn } from "../support/console";
import { decoded } from "../support/console-form";
import { anEvent, until } from "../support/events";
import { expectErrorLogs } from "../support/expected-logs";
import { outbox } from "../support/outbox";
import { aReceiver, aWebhook, taken, webhooksApi } from "../support/webhooks";

const DEAD = "/dead-letters";

type DeadPage = { events: Array<{ id: string; queue: string }>; nextCursor: string | null };

/** Puts stream events on the event stream, as the objects' outboxes do. */
async function publish(...events: StreamEvent[]): Promise<void> {
  await env.EVENTS.sendBatch(events.map((body) => ({ body, contentType: "json" as const })));
}

/** The tenant's dead letters as the admin API lists them (the first 200). */
async function deadLetters(admin: Pick<ConsoleAdmin, "base">): Promise<DeadPage["events"]> {
  return (await (await send(`${admin.base}/__stepgate/admin/v1/events/dead?limit=200`, { headers: adminHeaders() })).json<DeadPage>()).events;
}

/** Waits until the tenant has `count` dead letters (three attempts each, a second and two apart; longer on a loaded machine). */
async function deadCount(admin: Pick<ConsoleAdmin, "base">, count: number, timeoutMs = 30_000): Promise<DeadPage["events"]> {
  await until(async () => (await deadLetters(admin)).length === count, `${count} dead letter(s)`, timeoutMs);
  return deadLetters(admin);
}

/** A webhook on `admin`'s tenant whose endpoint answers 500 to everything, and its receiver. */
async function aFailingWebhook(admin: ConsoleAdmin) {
  const receiver = await aReceiver();
  const webhook = await aWebhook(admin.base, receiver, ["*"], { status: 500 });
  return { receiver, webhook };
}

/** The table row of dead letter `id`. */
function row(html: string, id: string): string {
  const start = html.indexOf(`<tr data-id="${id}"`);
  expect(start, `a row for ${id}`).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</tr>", start));
}

/** The replay form's action in a row, if it has one. */
function replayAction(html: string): string | null {
  const action = /<form method="post" action="([^"]+\/replay)"/.exec(html)?.[1];
  return action ? decoded(action).replace("/__stepgate/admin", "") : null;
}

// Each test waits for a dead letter: longer than the suite's usual timeout on a loaded machine.
describe("the undelivered events page", { timeout: 45_000 }, () => {
  it("says plainly that nothing is waiting, and sits after Activity in the console's nav", async () => {
    const admin = await aConsoleAdmin();
    const html = await admin.html(DEAD);
    expect(html).toContain('<p id="no-dead-letters">Nothing is waiting: there is nothing to send again.</p>');
    expect(html).not.toContain('id="dead-letters"');
    expect(html).toContain(
      '<li><a href="/__stepgate/admin/activity">Activity</a></li><li><a href="/__stepgate/admin/dead-letters" aria-current="page">Undelivered events</a></li>',
    );
  });

  it("lists a webhook delivery that failed every attempt, with the endpoint's last answer, and sends it again with a notice", async () => {
    const admin = await aConsoleAdmin();
    const { receiver, webhook } = await aFailingWebhook(admin);
    const event = anEvent(admin.tenantId, "dee", { type: "verify.failed" });
    await publish(event);
    const [dead] = await deadCount(admin, 1);
    expect(dead).toMatchObject({ id: `${webhook.id}.${event.id}`, queue: "stepgate-webhooks" });

    const html = await admin.html(DEAD);
    const listed = row(html, dead!.id);
    expect(listed).toContain("Webhook delivery");
    // The webhook, linked to its page for an admin who may open it.
    expect(listed).toContain(`<a href="/__stepgate/admin/webhooks/${webhook.id}"><code>${webhook.id}</code></a>`);
    expect(listed).toContain('<code class="muted">stepgate-webhooks</code>');
    expect(listed).toContain("<td>Wrong code</td>");
    expect(listed).toContain('<a href="/__stepgate/admin/users/dee"><code>dee</code></a>');
    expect(listed).toContain("Your endpoint answered <code>500</code>");
    // Three attempts: the first and the test configuration's two retries.
    expect(listed).toContain("<td>3</td>");
    expect(html).toContain("Times are shown in");

    await receiver.set({ secrets: [webhook.secret] });
    const replayed = await admin.post(replayAction(listed)!, {});
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get("Location")).toBe("/__stepgate/admin/dead-letters?replayed");
    expect(await admin.html(`${DEAD}?replayed`)).toContain('id="notice">Sent again.');
    await until(async () => (await taken(receiver.name)).length === 1, "the replayed delivery taken");
    expect((await taken(receiver.name))[0]!.id).toBe(event.id);
    expect(await deadLetters(admin)).toEqual([]);
    // Audited as the console admin's replay.
    const audit = await send(`${admin.base}/__stepgate/admin/v1/audit?type=event.replayed`, { headers: adminHeaders() });
    expect((await audit.json<{ entries: Array<{ actor: string; detail: object }> }>()).entries).toEqual([
      expect.objectContaining({ actor: "bootstrap", detail: { eventId: dead!.id, kind: "webhook" } }),
    ]);

    // Sent a second time (a double click), it is no longer there: said so, nothing sent.
    const again = await admin.post(replayAction(listed)!, {});
    expect(again.headers.get("Location")).toBe("/__stepgate/admin/dead-letters?gone");
    expect(await admin.html(`${DEAD}?gone`)).toContain('id="notice">That message was no longer waiting, so nothing was sent.');
  });

  it("lists a security alert that could not be sent, with nothing kept of its error, and sends it again", async () => {
    const down = { provider: "smtp" as const, host: "127.0.0.1", port: Number(new URL(env.DEAD_ORIGIN).port), secure: false, from: "s@acme.test" };
    const admin = await aConsoleAdmin({ factors: { email: { ...down } } });
    await userState(env, admin.tenantId, "xan").status(undefined, "xan@acme.test");
    expectErrorLogs();
    await publish(anEvent(admin.tenantId, "xan", { type: "device.trusted" }));
    const [dead] = await deadCount(admin, 1);
    expect(dead!.queue).toBe("stepgate-notifications");

    const listed = row(await admin.html(DEAD), dead!.id);
    expect(listed).toContain("Security alert to the user");
    expect(listed).toContain("<td>Device trusted</td>");
    expect(listed.match(/<span class="muted">Not recorded<\/span>/g)).toHaveLength(2);

    // The tenant fixes its provider (back to the dev outbox); the alert sent again arrives once.
    await env.POLICY.put(`policy:${admin.tenantId}`, JSON.stringify(aPolicy()));
    const replayed = await admin.post(replayAction(listed)!, {});
    expect(replayed.headers.get("Location")).toBe("/__stepgate/admin/dead-letters?replayed");
    await until(async () => (await outbox(admin.base)).some((message) => message.to === "xan@acme.test"), "the alert sent again");
    expect(await deadLetters(admin)).toEqual([]);
  });

  it("offers each replay only to an admin holding the scope the admin API asks for it, and refuses the others' posts", async () => {
    const admin = await aConsoleAdmin();
    const { webhook } = await aFailingWebhook(admin);
    await publish(anEvent(admin.tenantId, "eve", { type: "verify.failed" }));
    const [dead] = await deadCount(admin, 1);
    const action = replayAction(row(await admin.html(DEAD), dead!.id))!;

    const reader = await signedIn(admin.base, admin.tenantId, (await aTenantKey(admin.base, ["audit:read", "policy:write"])).key);
    const listed = row(await reader.html(DEAD), dead!.id);
    expect(replayAction(listed)).toBeNull();
    expect(listed).toContain("Sending it again is for admins who may: Manage webhooks.");
    // What the endpoint answered is webhooks:write's to read, as through the API.
    expect(listed).toContain("Shown to admins who manage webhooks");
    expect(listed).not.toContain("<code>500</code>");
    // Without users:read the user is named, not linked to a page the admin cannot open; without webhooks:write, the webhook.
    expect(listed).toContain("<td><code>eve</code></td>");
    expect(listed).toContain(`<code>${webhook.id}</code>`);
    expect(listed).not.toContain(`href="/__stepgate/admin/webhooks/`);
    const refused = await reader.post(action, {});
    expect(refused.status).toBe(403);
    expect(await deadLetters(admin)).toHaveLength(1);

    const webhooksAdmin = await signedIn(admin.base, admin.tenantId, (await aTenantKey(admin.base, ["audit:read", "webhooks:write"])).key);
    expect(replayAction(row(await webhooksAdmin.html(DEAD), dead!.id))).toBe(action);
    expect(row(await webhooksAdmin.html(DEAD), dead!.id)).toContain(`<a href="/__stepgate/admin/webhooks/${webhook.id}"><code>${webhook.id}</code></a>`);
    // Once the webhook is deleted, its dead delivery names it without a link to a page that is gone.
    expect((await webhooksApi(admin.base, "DELETE", `/webhooks/${webhook.id}`)).status).toBe(204);
    const orphan = row(await webhooksAdmin.html(DEAD), dead!.id);
    expect(orphan).toContain(`<code>${webhook.id}</code>`);
    expect(orphan).not.toContain(`href="/__stepgate/admin/webhooks/`);

    const noAudit = await signedIn(admin.base, admin.tenantId, (await aTenantKey(admin.base, ["webhooks:write", "users:read"])).key);
    expect(await noAudit.html("/")).not.toContain("Undelivered events");
    expect((await noAudit.get(DEAD)).status).toBe(403);
  });

  it("refuses a replay with a forged CSRF token, sending nothing", async () => {
    const admin = await aConsoleAdmin();
    await aFailingWebhook(admin);
    await publish(anEvent(admin.tenantId, "fay", { type: "verify.failed" }));
    const [dead] = await deadCount(admin, 1);
    const action = replayAction(row(await admin.html(DEAD), dead!.id))!;
    expect((await admin.post(action, { csrf: "forged" })).status).toBe(403);
    expect(await deadLetters(admin)).toHaveLength(1);
  });

  it("pages fifty at a time, newest first, and says so when a page link is not one", async () => {
    const admin = await aConsoleAdmin();
    await aFailingWebhook(admin);
    await publish(...Array.from({ length: 51 }, () => anEvent(admin.tenantId, "gil", { type: "verify.failed" })));
    const all = await deadCount(admin, 51, 60_000);

    const first = await admin.html(DEAD);
    const ids = (html: string) => [...html.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(first)).toEqual(all.slice(0, 50).map((dead) => dead.id));
    const older = /<a href="([^"]+)" rel="next" id="older">Older messages<\/a>/.exec(first)![1]!;
    const second = await admin.html(decoded(older).replace("/__stepgate/admin", ""));
    expect(ids(second)).toEqual([all[50]!.id]);
    expect(second).toContain('<a href="/__stepgate/admin/dead-letters">Newest messages</a>');
    expect(second).not.toContain('id="older"');

    const bad = await admin.html(`${DEAD}?cursor=-4`);
    expect(bad).toContain('id="bad-page">That page link no longer works; here are the newest messages.');
    expect(ids(bad)).toEqual(ids(first));
  }, 90_000);
});
