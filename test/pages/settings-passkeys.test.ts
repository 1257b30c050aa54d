/**
 * Passkeys on the settings page, as their owner uses them: listed by name (else by what they
 * are) with whether they are synced and when they were added and used, renamed with a form that
 * needs no script, removed under the rules every factor has, and their events in the activity
 * list in every language.
 */
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../../src/config/languages";
import type { PolicyInput } from "../../src/config/policy-schema";
import { fromBase64url } from "../../src/lib/encoding";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollPasskeyViaApi, verifyWithPasskey } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";
import { challengeFor, enrollTotpViaApi, postJson, sessionHeaders } from "../support/step-up";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };

const policy = (overrides: Partial<PolicyInput> = {}) =>
  aPolicy({ factors: { webauthn: { enabled: true } }, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } }, ...overrides });

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

/** A user of a tenant that allows passkeys, signed in with `sid`, and how they see and use their settings. */
async function aUser(overrides: Partial<PolicyInput> = {}, user = "kim") {
  const { base, host } = await aTenant(policy(overrides));
  const session = async (sid: string) => {
    const token = await aSession({ sub: user, sid });
    const cookie = `portal_session=${token}`;
    const get = (path: string, extra: Record<string, string> = {}) => send(`${base}${path}`, { headers: { ...browser, Cookie: cookie, ...extra } });
    const post = (path: string, fields: Record<string, string>, extra: Record<string, string> = {}) =>
      send(`${base}${path}`, {
        method: "POST",
        headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded", ...extra },
        body: new URLSearchParams(fields).toString(),
      });
    const factors = async () =>
      (await (await send(`${base}/__stepgate/api/me`, { headers: sessionHeaders(token) })).json<{ factors: Array<{ id: string; name: string | null }> }>())
        .factors;
    return { token, get, post, factors };
  };
  return { base, host, session };
}

/** The passkey's row of the factor list. */
function rowOf(html: string, factorId: string): string {
  const start = html.lastIndexOf("<li>", html.indexOf(`id="factor-${factorId}"`));
  expect(start, `row of ${factorId}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</li>", start) + 5);
}

/** What a reader sees of the row: its text without markup, spaces squeezed. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();

/** The activity list's entries as text, newest first, without place and time. */
function activityOf(html: string): string[] {
  const list = /<ul class="log" id="activity">([\s\S]*?)<\/ul>/.exec(html)![1]!;
  return list
    .split("</li>")
    .map((li) => li.replace(/<span class="muted">[\s\S]*?<\/span>/, "").replace(/<[^>]+>/g, ""))
    .filter(Boolean);
}

/** Enrols a security key (device-bound, USB and NFC only) through the user API. */
async function enrollSecurityKey(base: string, token: string): Promise<string> {
  const started = await (await postJson(`${base}/__stepgate/api/enroll/webauthn`, token, {})).json<{
    enrollmentId: string;
    publicKey: { challenge: string; rp: { id: string } };
  }>();
  const key = await SoftwareCredential.create("ES256");
  const response = await key.register({ challenge: fromBase64url(started.publicKey.challenge), origin: base, rpId: started.publicKey.rp.id }, ["usb", "nfc"]);
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/webauthn/confirm`, token, { enrollmentId: started.enrollmentId, response });
  expect(confirmed.status).toBe(200);
  return (await confirmed.json<{ factorId: string }>()).factorId;
}

describe("passkeys on the settings page", () => {
  it("lists each passkey by its name, else by what it is, with whether it is synced, when it was added and when it was last used", async () => {
    const { base, session } = await aUser({ enforcement: "optional" });
    const kim = await session("s-1");
    const plain = await SoftwareCredential.create("ES256");
    const first = await enrollPasskeyViaApi(base, kim.token, plain);
    expect(first.name).toBeNull();
    const synced = await SoftwareCredential.create("EdDSA", { synced: true, counting: false });
    const phone = await enrollPasskeyViaApi(base, kim.token, synced, { name: "Kim's <b>phone</b>" });
    const keyId = await enrollSecurityKey(base, kim.token);
    expect((await verifyWithPasskey(base, kim.token, await challengeFor(`${base}/echo/withdraw`, kim.token), synced)).status).toBe(200);

    const html = await (await kim.get("/__stepgate/settings")).text();
    const date = String.raw`\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M`;
    // No maker known (the all-zero AAGUID) and no name given: what it is, in the page's words.
    expect(textOf(rowOf(html, first.factorId))).toMatch(new RegExp(`^Passkey On this device only · Added ${date} Remove Rename Name Save name$`));
    // The user's name is their text: escaped, and in an isolate of its own.
    const named = rowOf(html, phone.factorId);
    expect(named).toContain(`<span id="factor-${phone.factorId}"><bdi>Kim&#39;s &lt;b&gt;phone&lt;/b&gt;</bdi> (Passkey)</span>`);
    expect(textOf(named)).toMatch(new RegExp(`Synced to your account · Added ${date} · Last used ${date}`));
    expect(textOf(rowOf(html, keyId))).toMatch(new RegExp(`^Security key On this device only · Added ${date} Remove`));
    expect(html).toContain('<a href="/__stepgate/enroll?factor=webauthn" id="add-passkey">Add a passkey</a>');
    // In another language, the same facts in its words.
    const german = await (await kim.get("/__stepgate/settings", { "Accept-Language": "de" })).text();
    expect(textOf(rowOf(german, keyId))).toMatch(/^Sicherheitsschlüssel Nur auf diesem Gerät · Hinzugefügt am /);
    expect(textOf(rowOf(german, phone.factorId))).toContain("Mit Ihrem Konto synchronisiert");
  });

  it("keeps a right-to-left name from reordering the row, and offers no passkey where the policy allows none", async () => {
    const { base, session } = await aUser({ enforcement: "optional" }, "rana");
    const rana = await session("s-1");
    const { factorId } = await enrollPasskeyViaApi(base, rana.token, await SoftwareCredential.create("ES256"), { name: "هاتف العمل" });
    const arabic = await (await rana.get("/__stepgate/settings", { Cookie: `portal_session=${rana.token}; __Host-stepgate-lang=ar` })).text();
    expect(rowOf(arabic, factorId)).toContain("<bdi>هاتف العمل</bdi> (مفتاح مرور)");

    const { base: plainBase } = await aTenant(aPolicy({ enforcement: "optional" }));
    const token = await aSession({ sub: "tom" });
    await enrollTotpViaApi(plainBase, token);
    const html = await (await send(`${plainBase}/__stepgate/settings`, { headers: { ...browser, Cookie: `portal_session=${token}` } })).text();
    expect(html).not.toContain("enroll?factor=webauthn");
    expect(html).not.toContain("/rename");
  });

  it("renames a passkey with its form and the session's CSRF token, with no fresh verification", async () => {
    const { base, session } = await aUser({ enforcement: "required" });
    const { factorId } = await enrollPasskeyViaApi(base, (await session("s-1")).token, await SoftwareCredential.create("ES256"));
    // Another session of the same user: it has the page (the login grant) but no recent verification.
    const later = await session("s-2");
    const html = await (await later.get("/__stepgate/settings")).text();
    const action = `/__stepgate/settings/factors/${factorId}/rename`;
    expect(rowOf(html, factorId)).toContain(`<form method="post" action="${action}">`);
    const csrf = field(html, "csrf");

    expect((await later.post(action, { csrf: "forged", name: "Stolen" })).status).toBe(403);
    expect((await later.factors())[0]!.name).toBeNull();

    const renamed = await later.post(action, { csrf, name: "  Work laptop " });
    expect(renamed.status).toBe(200);
    const page = await renamed.text();
    expect(page).toContain('<p class="card" role="status">The passkey was renamed.</p>');
    expect(textOf(rowOf(page, factorId))).toMatch(/^Work laptop \(Passkey\) On this device only/);
    expect(await later.factors()).toEqual([expect.objectContaining({ id: factorId, name: "Work laptop" })]);
    // The field shows the name now held, to edit it again.
    expect(rowOf(page, factorId)).toContain('name="name" value="Work laptop"');
  });

  it("refuses a name with a direction override, an empty one and a long one, beside the form in the page's language, and changes nothing", async () => {
    const { base, session } = await aUser({ enforcement: "optional" });
    const kim = await session("s-1");
    const { factorId } = await enrollPasskeyViaApi(base, kim.token, await SoftwareCredential.create("ES256"), { name: "Work laptop" });
    const csrf = field(await (await kim.get("/__stepgate/settings")).text(), "csrf");
    const action = `/__stepgate/settings/factors/${factorId}/rename`;

    for (const [name, message] of [
      ["pay\u202Eevil", "A name can only be plain text, without control or formatting characters (such as right-to-left marks)."],
      ["   ", "Give the passkey a name."],
      ["", "Give the passkey a name."],
      ["x".repeat(65), "A name can be at most 64 characters long."],
    ] as const) {
      const refused = await kim.post(action, { csrf, name });
      expect(refused.status, JSON.stringify(name)).toBe(400);
      const row = rowOf(await refused.text(), factorId);
      // Beside its form, which stays open, tied to the field it is about.
      expect(row).toContain('<details class="rename" open="">');
      expect(row).toContain(`<p class="error" role="alert" id="name-error-${factorId}">${message}</p>`);
      expect(row).toContain(`aria-invalid="true" aria-describedby="name-error-${factorId}"`);
    }
    const french = await kim.post(action, { csrf, name: "" }, { Cookie: `portal_session=${kim.token}; __Host-stepgate-lang=fr` });
    expect(french.status).toBe(400);
    expect(await french.text()).toContain("Donnez un nom à la clé d&#39;accès.");
    // A name without a field at all is an empty one.
    expect((await kim.post(action, { csrf })).status).toBe(400);
    expect(await kim.factors()).toEqual([expect.objectContaining({ id: factorId, name: "Work laptop" })]);

    // Only a passkey of this user has a name to change.
    const totp = await enrollTotpViaApi(base, kim.token);
    expect(totp.backupCodes).toEqual([]);
    const appId = (await kim.factors()).find((f) => f.id !== factorId)!.id;
    const notPasskey = await kim.post(`/__stepgate/settings/factors/${appId}/rename`, { csrf, name: "Mine" });
    expect(notPasskey.status).toBe(409);
    expect(await notPasskey.text()).toContain("That factor is not set up for this account.");
  });

  it("removes a passkey after a fresh verification, naming it on the confirmation, and keeps the last one where 2FA is required", async () => {
    const { base, session } = await aUser({ enforcement: "required" });
    const first = await session("s-1");
    const laptop = await SoftwareCredential.create("ES256");
    const phone = await SoftwareCredential.create("EdDSA", { synced: true, counting: false });
    const kept = await enrollPasskeyViaApi(base, first.token, laptop, { name: "Work laptop" });
    const gone = await enrollPasskeyViaApi(base, first.token, phone, { name: "Old phone" });

    const later = await session("s-2");
    const confirmPath = `/__stepgate/settings/factors/${gone.factorId}/remove`;
    expect(await (await later.get("/__stepgate/settings")).text()).toContain(`<form method="get" action="${confirmPath}">`);
    const confirm = await (await later.get(confirmPath)).text();
    expect(confirm).toContain("<h1>Remove this passkey?</h1>");
    expect(confirm).toContain('<p id="subject"><bdi>Old phone</bdi> (Passkey)</p>');
    expect(confirm).toContain("The passkey itself stays where it is saved");
    const csrf = field(confirm, "csrf");

    const stopped = await later.post(confirmPath, { csrf });
    expect(stopped.status).toBe(303);
    const challengeId = /^\/__stepgate\/challenge\/([\w-]{22})$/.exec(stopped.headers.get("Location")!)![1]!;
    expect(await later.factors()).toHaveLength(2);
    expect((await verifyWithPasskey(base, later.token, challengeId, laptop)).status).toBe(200);

    const removed = await later.post(confirmPath, { csrf });
    expect(removed.status).toBe(200);
    const html = await removed.text();
    expect(html).toContain("The factor was removed.");
    expect((await later.factors()).map((f) => f.id)).toEqual([kept.factorId]);
    // The last factor of a user who must have one: no Remove button, and no removing it by hand.
    expect(html).not.toContain(`/__stepgate/settings/factors/${kept.factorId}/remove`);
    const last = await later.post(`/__stepgate/settings/factors/${kept.factorId}/remove`, { csrf });
    expect(last.status).toBe(409);
    expect(await last.text()).toContain("its last factor cannot be removed");
    expect(await later.factors()).toHaveLength(1);
  });

  it("words each passkey event in the activity list, in English and in every other language", async () => {
    const { base, session } = await aUser({ enforcement: "optional" });
    const kim = await session("s-1");
    const passkey = await SoftwareCredential.create("ES256");
    const { factorId } = await enrollPasskeyViaApi(base, kim.token, passkey);
    const withdraw = () => challengeFor(`${base}/echo/withdraw`, kim.token);
    expect((await verifyWithPasskey(base, kim.token, await withdraw(), passkey)).status).toBe(200);
    expect((await verifyWithPasskey(base, kim.token, await withdraw(), passkey, { origin: "https://evil.test" })).status).toBe(400);
    passkey.counter = 0; // a copy of the key that has signed less than the original
    expect((await verifyWithPasskey(base, kim.token, await withdraw(), passkey)).status).toBe(400);
    const csrf = field(await (await kim.get("/__stepgate/settings")).text(), "csrf");
    expect((await kim.post(`/__stepgate/settings/factors/${factorId}/rename`, { csrf, name: "Laptop" })).status).toBe(200);
    expect((await kim.post(`/__stepgate/settings/factors/${factorId}/remove`, { csrf })).status).toBe(200);

    const english = activityOf(await (await kim.get("/__stepgate/settings")).text());
    expect(english).toEqual([
      "Factor removed (Passkey)",
      "Factor renamed (Passkey)",
      "Passkey refused: a copy of it may exist",
      "Passkey not accepted",
      "Withdrawal confirmed with a passkey",
      "Factor added (Passkey)",
    ]);
    for (const language of LANGUAGES.filter((l) => l !== "en")) {
      const shown = activityOf(
        await (await kim.get("/__stepgate/settings", { Cookie: `portal_session=${kim.token}; __Host-stepgate-lang=${language}` })).text(),
      );
      expect(shown, language).toHaveLength(english.length);
      for (const [i, entry] of shown.entries()) {
        // Neither a raw audit type or page key, nor the English words.
        expect(entry, language).not.toMatch(/\b(?:factor|verify|webauthn|activity|settings)\.[\w.]+/);
        expect(entry, language).not.toBe(english[i]);
      }
    }
  });
});
