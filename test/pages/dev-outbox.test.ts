/**
 * The dev outbox: a page for a browser (the messages newest first, each with its recipient and
 * its code set apart, in the visitor's language) and JSON for scripts, either narrowed to a
 * recipient.
 */
import { describe, expect, it } from "vitest";
import { sentTo } from "../../src/pages/dev-outbox-routes";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { codeIn, type OutboxEntry } from "../support/outbox";
import { postJson } from "../support/step-up";

const PHONE = "+14155552671";
const EMAIL = "eve@acme.test";
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** A tenant whose outbox holds a text to {@link PHONE}, then an email to {@link EMAIL}. */
async function anOutbox(): Promise<string> {
  const { base } = await aTenant(aPolicy({ branding: { name: "Acme" }, factors: { sms: { enabled: true }, email: { enabled: true } } }));
  expect((await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession({ sub: "sam" }), { phone: PHONE })).status).toBe(201);
  expect((await postJson(`${base}/__stepgate/api/enroll/email`, await aSession({ sub: "eve" }), { email: EMAIL })).status).toBe(201);
  return base;
}

const outboxAt = (base: string, query = "", headers: Record<string, string> = { Accept: BROWSER }) =>
  send(`${base}/__stepgate/dev/outbox${query}`, { headers });

describe("the dev outbox", () => {
  it("shows a browser each message newest first, its recipient and its code set apart", async () => {
    const base = await anOutbox();
    const response = await outboxAt(base);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain("<h1>Development outbox</h1>");
    const headings = [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1]);
    expect(headings).toEqual([`Email to ${EMAIL}`, `Text message to ${PHONE}`]);
    const codes = [...html.matchAll(/<code class="code secret">(\d+)<\/code>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(2);
    const json = await (await outboxAt(base, "?format=json")).json<{ messages: OutboxEntry[] }>();
    expect(codes).toEqual(json.messages.map((m) => m.code));
    // The email's subject and words are on the page too, the code in them as the code set apart.
    // Each in its own direction (a text in English on an Arabic page reads left to right).
    expect(html).toContain(`<dd dir="auto">Acme verification code: ${codes[0]}</dd>`);
    expect(html).toMatch(new RegExp(`<p class="words" dir="auto">${codes[1]} is your Acme code\\.`));
    // Its own rules ride in the page's one style, under the response's nonce.
    const nonce = /<style nonce="([^"]+)">[^<]*ol\.outbox/.exec(html)?.[1];
    expect(response.headers.get("Content-Security-Policy")).toContain(`'nonce-${nonce}'`);
  });

  it("answers JSON for ?format=json and for an Accept that prefers it, each message with the code its text carries", async () => {
    const base = await anOutbox();
    for (const [query, headers] of [
      ["?format=json", { Accept: BROWSER }],
      ["", { Accept: "application/json" }],
      ["", { Accept: "application/json, text/html;q=0.5" }],
    ] as const) {
      const response = await outboxAt(base, query, headers);
      expect(response.headers.get("Content-Type"), `${query} ${headers.Accept}`).toMatch(/^application\/json/);
      const { messages } = await response.json<{ messages: Array<OutboxEntry & { at: string }> }>();
      expect(messages.map((m) => [m.channel, m.to])).toEqual([
        ["email", EMAIL],
        ["sms", PHONE],
      ]);
      for (const message of messages) expect(message.code).toBe(codeIn(message.text));
      expect(Date.parse(messages[0]!.at)).toBeGreaterThanOrEqual(Date.parse(messages[1]!.at));
    }
    // Anything else (curl's */*, no Accept at all) is the page.
    expect((await outboxAt(base, "", { Accept: "*/*" })).headers.get("Content-Type")).toMatch(/^text\/html/);
    expect((await outboxAt(base, "", {})).headers.get("Content-Type")).toMatch(/^text\/html/);
  });

  it("narrows the page and the JSON to a recipient named in part, spaces and case aside", async () => {
    const base = await anOutbox();
    const json = async (query: string) => (await (await outboxAt(base, `?format=json&${query}`)).json<{ messages: OutboxEntry[] }>()).messages;
    expect((await json("to=415 555")).map((m) => m.to)).toEqual([PHONE]);
    expect((await json("to=EVE@")).map((m) => m.to)).toEqual([EMAIL]);
    expect(await json("to=nobody")).toEqual([]);

    const page = await (await outboxAt(base, "?to=%2B1415")).text();
    expect(page).toContain(`<input type="text" id="to" name="to" value="+1415"`);
    expect(page).not.toContain(EMAIL);
    expect(page).toContain(`Text message to ${PHONE}`);
    expect(page).toContain('<a href="/__stepgate/dev/outbox">Show all messages</a>');
    const none = await (await outboxAt(base, "?to=nobody")).text();
    expect(none).toContain('<p class="card" role="status">No messages to nobody.</p>');
    expect(none).not.toContain('id="messages"');
  });

  it("speaks the visitor's language, and its form keeps the one chosen in the menu", async () => {
    const base = await anOutbox();
    const german = await (await outboxAt(base, "", { Accept: BROWSER, "Accept-Language": "de-DE,de;q=0.9" })).text();
    expect(german).toContain('<html lang="de" dir="ltr">');
    expect(german).toContain("<h1>Entwicklungs-Postausgang</h1>");
    expect(german).toContain(`SMS an ${PHONE}`);
    const arabic = await (await outboxAt(base, "?lang=ar&to=eve")).text();
    expect(arabic).toContain('<html lang="ar" dir="rtl">');
    expect(arabic).toContain('<input type="hidden" name="lang" value="ar"/>');
    expect(arabic).toContain('<a href="/__stepgate/dev/outbox?lang=ar">');
    // The menu's links keep the filter.
    expect(arabic).toContain('href="/__stepgate/dev/outbox?lang=ja&amp;to=eve"');
  });

  it("shows the outbox of a tenant whose policy cannot be read in stepgate's own frame", async () => {
    const { base } = await aTenant("{ not json");
    const response = await outboxAt(base);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<title>Development outbox · Your portal</title>");
    expect(html).toContain('<p class="card" role="status">No messages yet.</p>');
  });

  it("matches a recipient by a part of it, with spaces and case left out", () => {
    expect(sentTo({ to: PHONE }, " 1415 555 ")).toBe(true);
    expect(sentTo({ to: PHONE }, "")).toBe(true);
    expect(sentTo({ to: "Eve@Acme.test" }, "eve@ACME")).toBe(true);
    expect(sentTo({ to: PHONE }, "+1416")).toBe(false);
  });
});
