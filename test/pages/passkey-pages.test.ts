/**
 * The hosted pages for passkeys, through the worker, against the software authenticator (made
 * over the challenge in the page's own options, on the tenant's origin): creating one on the
 * enrolment page, answering a held withdrawal with one on the challenge page, what is said when
 * the browser's answer is refused, and the page's script allowed by its nonce alone.
 */
import { describe, expect, it } from "vitest";
import { fromBase64url } from "../../src/lib/encoding";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollPasskeyViaApi } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";
import { enrollTotpViaApi, sessionHeaders } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };

const policy = (overrides: object = {}) =>
  aPolicy({
    enforcement: "required",
    branding: { name: "Acme" },
    factors: { webauthn: { enabled: true }, sms: { enabled: true } },
    operations: {
      statements: { routes: ["GET /echo/statements"], maxAge: 600 },
      withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["amount", "iban"] },
    },
    ...overrides,
  });

interface Options {
  challenge: string;
  rp?: { id: string; name: string };
  rpId?: string;
  user?: { id: string; name: string };
  allowCredentials?: Array<{ id: string }>;
}

function decoded(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return decoded(match![1]!);
}

/** The options the page hands the browser (its passkey form's `data-options`). */
function embeddedOptions(html: string): Options {
  const match = /<form[^>]*data-passkey="(?:create|get)"[^>]*data-options="([^"]*)"/.exec(html);
  expect(match, "the passkey form's options").not.toBeNull();
  return JSON.parse(decoded(match![1]!)) as Options;
}

/** A portal user's browser on a fresh tenant: GET and form POST with its session cookie. */
async function aBrowser(sub: string, overrides: object = {}) {
  const { base, host } = await aTenant(policy(overrides));
  const token = await aSession({ sub, sid: `${sub}-1`, email: `${sub}@acme.test` });
  const cookie = `portal_session=${token}`;
  const get = (path: string) => send(`${base}${path}`, { headers: { ...browser, Cookie: cookie } });
  const post = (path: string, fields: Record<string, string>) =>
    send(`${base}${path}`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  return { base, host, token, cookie, get, post };
}

/** What the passkey on the page's options makes: a registration for a create form, an assertion for a get form. */
async function browserAnswer(credential: SoftwareCredential, html: string, base: string): Promise<string> {
  const options = embeddedOptions(html);
  const ceremony = { challenge: fromBase64url(options.challenge), origin: base, rpId: options.rp?.id ?? options.rpId! };
  return JSON.stringify(options.rp ? await credential.register(ceremony) : await credential.assert(ceremony));
}

describe("creating a passkey on the enrolment page", () => {
  it("offers it first, renders options bound to a pending enrolment, and enrols it with backup codes and the way back", async () => {
    const { base, host, token, get, post } = await aBrowser("pat");
    const stopped = await get("/echo/statements?month=11");
    expect(stopped.status).toBe(303);
    const enrollUrl = stopped.headers.get("Location")!;
    const challengeId = new URL(enrollUrl, base).searchParams.get("challenge")!;

    const choice = await (await get(enrollUrl)).text();
    const offered = [...choice.matchAll(/class="card choice" href="([^"]+)"/g)].map((m) => decoded(m[1]!));
    expect(offered).toEqual([
      `/__stepgate/enroll?factor=webauthn&challenge=${challengeId}`,
      `/__stepgate/enroll?factor=totp&challenge=${challengeId}`,
      `/__stepgate/enroll?factor=sms&challenge=${challengeId}`,
    ]);
    expect(choice).toContain("<strong>Passkey</strong>");

    const page = await get(offered[0]!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Create a passkey</h1>");
    expect(html).toContain("A passkey lets you confirm it&#39;s you with your fingerprint, face, screen lock or a security key");
    expect(html).toContain('<label for="passkey-name">Name this passkey (optional)</label>');
    expect(html).toContain('<form method="post" action="/__stepgate/enroll/webauthn" data-passkey="create"');
    // Without script the form stays hidden and the page says why, with the other ways on.
    expect(html).toMatch(/data-passkey="create" data-options="[^"]*" hidden="">/);
    expect(html).toContain('<p id="passkey-unsupported">Passkeys need a browser that supports them, with JavaScript turned on.');
    expect(html).toContain(`href="/__stepgate/enroll?factor=totp&amp;challenge=${challengeId}">Authenticator app</a>`);
    expect(html).toContain(`href="/__stepgate/enroll?factor=sms&amp;challenge=${challengeId}">Text message</a>`);

    const options = embeddedOptions(html);
    expect(options.rp).toEqual({ id: host, name: "Acme" });
    expect(options.user!.name).toBe("pat@acme.test");
    // The user handle is 32 random bytes, never the portal's user id.
    const handle = fromBase64url(options.user!.id);
    expect(handle).toHaveLength(32);
    expect(new TextDecoder().decode(handle)).not.toContain("pat");
    // Each page load is a pending enrolment of its own, with its own challenge.
    const again = embeddedOptions(await (await get(offered[0]!)).text());
    expect(again.challenge).not.toBe(options.challenge);
    expect(again.user!.id).toBe(options.user!.id);

    const passkey = await SoftwareCredential.create("ES256");
    const done = await post("/__stepgate/enroll/webauthn", {
      csrf: field(html, "csrf"),
      enrollmentId: field(html, "enrollmentId"),
      challenge: field(html, "challenge"),
      name: "Work laptop",
      response: await browserAnswer(passkey, html, base),
    });
    expect(done.status).toBe(200);
    const codesPage = await done.text();
    expect(codesPage).toContain("Save your backup codes");
    expect(codesPage.match(/<li>[0-9a-z]{5}-[0-9a-z]{5}<\/li>/g)).toHaveLength(10);
    expect(codesPage).toContain('href="/echo/statements?month=11"');
    const grant = done.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-stepgate-grant-statements="))!
      .split(";")[0]!;
    const through = await send(`${base}/echo/statements?month=11`, { headers: { ...browser, Cookie: `portal_session=${token}; ${grant}` } });
    expect(through.status).toBe(200);

    const me = await (await send(`${base}/__stepgate/api/me`, { headers: sessionHeaders(token) })).json<{ factors: unknown[] }>();
    expect(me.factors).toEqual([
      { id: expect.any(String), kind: "webauthn", destination: null, name: "Work laptop", passkey: { kind: "passkey", synced: false } },
    ]);
  });

  it("says a refused passkey beside a new form, with status 400, and enrols nothing", async () => {
    const { base, token, get, post } = await aBrowser("quin", { enforcement: "optional" });
    const html = await (await get("/__stepgate/enroll?factor=webauthn")).text();
    const options = embeddedOptions(html);
    const passkey = await SoftwareCredential.create("ES256");
    // Made on another site: the origin in its client data is not the portal's.
    const phished = await passkey.register({ challenge: fromBase64url(options.challenge), origin: "https://acme-login.test", rpId: options.rp!.id });
    const refused = await post("/__stepgate/enroll/webauthn", {
      csrf: field(html, "csrf"),
      enrollmentId: field(html, "enrollmentId"),
      response: JSON.stringify(phished),
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<p class="error" role="alert">This passkey was not accepted. Try again, or use another way below.</p>');
    expect(field(page, "enrollmentId")).not.toBe(field(html, "enrollmentId"));
    // Not JSON at all: refused the same way.
    const garbled = await post("/__stepgate/enroll/webauthn", { csrf: field(page, "csrf"), enrollmentId: field(page, "enrollmentId"), response: "{not json" });
    expect(garbled.status).toBe(400);
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: sessionHeaders(token) })).json<{ factors: unknown[] }>();
    expect(me.factors).toEqual([]);
  });

  it("sends a user who has a factor to verify first, and back to the passkey page after", async () => {
    const { base, get, post } = await aBrowser("rue", { enforcement: "optional" });
    const token = await aSession({ sub: "rue", sid: "rue-0" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    // `rue-1` (the browser's session) has not verified.
    const sent = await get("/__stepgate/enroll?factor=webauthn");
    expect(sent.status).toBe(303);
    const challengePath = sent.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    const challenge = await (await get(challengePath)).text();
    expect(challenge).toContain("Confirm changes to your security settings");
    const verified = await post(challengePath, { csrf: field(challenge, "csrf"), factor: "totp", code: totpCode(secret, enrolledAt + 30_000) });
    expect(verified.status).toBe(303);
    expect(verified.headers.get("Location")).toBe("/__stepgate/enroll?factor=webauthn");
    const page = await get("/__stepgate/enroll?factor=webauthn");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-passkey="create"');
  });

  it("runs its script by the response's nonce only, and keeps the tenant's and the user's words out of any script", async () => {
    const name = `Acme </script><script>alert("rp")</script>`;
    const { get } = await aBrowser("sam", { enforcement: "optional", branding: { name } });
    const page = await get("/__stepgate/enroll?factor=webauthn");
    const html = await page.text();
    const nonce = /script-src 'nonce-([^']+)'/.exec(page.headers.get("Content-Security-Policy") ?? "")?.[1];
    expect(nonce).toBeTruthy();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` nonce="${nonce}"`]);
    expect(html).not.toContain('<script>alert("rp")');
    // The options carry the name as given, read as data.
    expect(embeddedOptions(html).rp!.name).toBe(name);
  });
});

describe("answering a challenge with a passkey", () => {
  /** A user with a passkey (and `totp`, optionally), and their held withdrawal's challenge page. */
  async function aHeldWithdrawal(sub: string, options: { withApp?: boolean } = {}) {
    const session = await aBrowser(sub);
    const passkey = await SoftwareCredential.create("ES256");
    const { backupCodes } = await enrollPasskeyViaApi(session.base, session.token, passkey);
    if (options.withApp) {
      // A later factor needs the fresh verification the passkey's enrolment just gave.
      const started = await send(`${session.base}/__stepgate/api/enroll/totp`, { method: "POST", headers: sessionHeaders(session.token), body: "{}" });
      expect(started.status).toBe(201);
      const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
      const confirmed = await send(`${session.base}/__stepgate/api/enroll/totp/confirm`, {
        method: "POST",
        headers: sessionHeaders(session.token),
        body: JSON.stringify({ enrollmentId, code: totpCode(secret) }),
      });
      expect(confirmed.status).toBe(200);
    }
    const held = await session.post("/echo/withdraw", { amount: "10", iban: "DE00 1234" });
    expect(held.status).toBe(303);
    const challengePath = held.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    const page = await session.get(challengePath);
    expect(page.status).toBe(200);
    return { ...session, passkey, backupCodes, challengePath, html: await page.text() };
  }

  it("offers the passkey first, with the approval above its button, and its answer sends the held withdrawal", async () => {
    const { base, get, post, passkey, challengePath, html } = await aHeldWithdrawal("tess");
    expect(html).toContain("<h1>Confirm your withdrawal</h1>");
    const approving = html.indexOf('id="approving"');
    const button = html.indexOf('<button type="submit">Use a passkey</button>');
    expect(approving).toBeGreaterThan(0);
    expect(button).toBeGreaterThan(approving);
    expect(html.slice(approving, button)).toContain("DE00 1234");
    expect(html).toContain('name="factor" value="webauthn"');
    // The other way this user has stays: the backup codes (and no code field on this page).
    expect(html).toContain(`href="${challengePath}?factor=backup_code">Use a backup code instead</a>`);
    expect(html).not.toContain('autocomplete="one-time-code"');

    const options = embeddedOptions(html);
    expect(options.rpId).toBe(new URL(base).host);
    expect(options.allowCredentials!.map((c) => c.id)).toEqual([passkey.credentialId]);

    const answered = await post(challengePath, { csrf: field(html, "csrf"), factor: "webauthn", response: await browserAnswer(passkey, html, base) });
    expect(answered.status).toBe(303);
    expect(answered.headers.get("Location")).toBe(`${challengePath}/complete`);
    const completed = await get(`${challengePath}/complete`);
    expect(completed.status).toBe(200);
    const echo = await completed.json<{ method: string; path: string; body: string }>();
    expect(echo).toMatchObject({ method: "POST", path: "/echo/withdraw" });
    expect(new URLSearchParams(echo.body).get("amount")).toBe("10");
  });

  it("refuses a passkey that is not the user's, saying so beside the form with the attempts left and status 400", async () => {
    const { base, post, challengePath, html } = await aHeldWithdrawal("uma");
    const stranger = await SoftwareCredential.create("ES256");
    const refused = await post(challengePath, { csrf: field(html, "csrf"), factor: "webauthn", response: await browserAnswer(stranger, html, base) });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('<p class="error" role="alert">This passkey was not accepted. 4 attempts left.</p>');
    // The page offers the passkey again.
    expect(page).toContain('<button type="submit">Use a passkey</button>');
  });

  it("refuses an assertion made for another withdrawal of the same user", async () => {
    const { base, get, post, passkey, html } = await aHeldWithdrawal("val");
    const other = await post("/echo/withdraw", { amount: "10000", iban: "XX99 6666" });
    const otherPath = other.headers.get("Location")!;
    const otherHtml = await (await get(otherPath)).text();
    // Signed over the first withdrawal's options, sent as the answer to the second.
    const refused = await post(otherPath, { csrf: field(otherHtml, "csrf"), factor: "webauthn", response: await browserAnswer(passkey, html, base) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("This passkey was not accepted.");
  });

  it("offers the passkey among the other ways on the code pages, and the codes beside the passkey", async () => {
    const { get, challengePath, html } = await aHeldWithdrawal("wes", { withApp: true });
    expect(html).toContain(`href="${challengePath}?factor=totp">Use your authenticator app instead</a>`);
    const app = await (await get(`${challengePath}?factor=totp`)).text();
    expect(app).toContain('autocomplete="one-time-code"');
    expect(app).toContain(`href="${challengePath}?factor=webauthn">Use a passkey instead</a>`);
    expect(app).not.toContain("data-passkey");
  });

  it("is not offered where the policy's relying party does not cover the host", async () => {
    const { get } = await aBrowser("yan", {
      enforcement: "optional",
      factors: { webauthn: { enabled: true, rpId: "elsewhere.test" }, sms: { enabled: true } },
    });
    const choice = await (await get("/__stepgate/enroll")).text();
    expect(choice).toContain("factor=totp");
    expect(choice).not.toContain("factor=webauthn");
    // Asked for anyway: the choice, not options a browser would refuse.
    const asked = await (await get("/__stepgate/enroll?factor=webauthn")).text();
    expect(asked).not.toContain("data-passkey");
    expect(asked).toContain('class="card choice"');
  });
});
