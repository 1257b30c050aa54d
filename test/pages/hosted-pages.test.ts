import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";
import { lastCodeTo, timePasses } from "../support/outbox";
import { totpCode, wrongCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const policy = (overrides: object = {}) =>
  aPolicy({
    enforcement: "required",
    branding: { name: "Acme <Brokers>", color: "#aa3300" },
    operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } },
    ...overrides,
  });

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

function postForm(base: string, path: string, cookie: string, fields: Record<string, string>, origin = base): Promise<Response> {
  return send(`${base}${path}`, {
    method: "POST",
    headers: { ...browser, Cookie: cookie, Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("enrolling by the hosted pages", () => {
  it("goes from the protected page to enrolment, shows the QR code and secret, then the backup codes, then back", async () => {
    const { base } = await aTenant(policy());
    const cookie = `portal_session=${await aSession({ sub: "pat", email: "pat@acme.test" })}`;

    const stopped = await send(`${base}/echo/statements?month=11`, { headers: { ...browser, Cookie: cookie } });
    expect(stopped.status).toBe(303);
    const enrollUrl = stopped.headers.get("Location")!;
    expect(enrollUrl).toMatch(/^\/__stepgate\/enroll\?challenge=[\w-]{22}$/);

    const page = await send(`${base}${enrollUrl}`, { headers: { ...browser, Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain("<svg");
    expect(html).toContain("Acme &lt;Brokers&gt; now requires two-factor verification for your account. Set it up once to continue.");
    expect(html).not.toContain("Acme <Brokers>");
    expect(html).toContain("--brand:#aa3300");
    const secret = /id="secret">([A-Z2-7 ]+)</.exec(html)![1]!.replace(/ /g, "");
    expect(secret).toHaveLength(32);
    const href = /href="(otpauth:[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, "&");
    expect(href.startsWith("otpauth://totp/Acme%20%3CBrokers%3E:pat%40acme.test?")).toBe(true);
    expect(new URL(href).searchParams.get("secret")).toBe(secret);

    // Reloading keeps the same secret: the user may already have scanned it.
    const reloaded = await (await send(`${base}${enrollUrl}`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(reloaded).toContain(secret.replace(/(.{4})/g, "$1 ").trim());

    const fields = { csrf: field(html, "csrf"), enrollmentId: field(html, "enrollmentId"), challenge: field(html, "challenge") };
    const wrong = await postForm(base, "/__stepgate/enroll", cookie, { ...fields, code: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right. 4 attempts left.");

    const done = await postForm(base, "/__stepgate/enroll", cookie, { ...fields, code: totpCode(secret) });
    expect(done.status).toBe(200);
    const codesPage = await done.text();
    expect(codesPage.match(/<li>[0-9a-z]{5}-[0-9a-z]{5}<\/li>/g)).toHaveLength(10);
    expect(codesPage).toContain('href="/echo/statements?month=11"');
    const grant = done.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-stepgate-grant-statements="))!
      .split(";")[0]!;

    const through = await send(`${base}/echo/statements?month=11`, { headers: { ...browser, Cookie: `${cookie}; ${grant}` } });
    expect(through.status).toBe(200);
    expect(await through.json()).toMatchObject({ path: "/echo/statements", query: "?month=11" });
  });
});

describe("enrolling of one's own accord", () => {
  it("does not say the organisation requires it, on the choice or on the app's page", async () => {
    const { base } = await aTenant(policy({ enforcement: "optional", factors: { sms: { enabled: true } } }));
    const cookie = `portal_session=${await aSession({ sub: "opt" })}`;
    for (const path of ["/__stepgate/enroll", "/__stepgate/enroll?factor=totp"]) {
      const page = await send(`${base}${path}`, { headers: { ...browser, Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(await page.text(), path).not.toContain("now requires two-factor verification");
    }
  });

  it("says it on the choice of factors when the gate sent the user to enrol", async () => {
    const { base } = await aTenant(policy({ factors: { sms: { enabled: true } } }));
    const cookie = `portal_session=${await aSession({ sub: "req" })}`;
    const stopped = await send(`${base}/echo/statements`, { headers: { ...browser, Cookie: cookie } });
    const choice = await (await send(`${base}${stopped.headers.get("Location")}`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(choice).toContain('id="required"');
    expect(choice).toContain("now requires two-factor verification for your account");
  });
});

describe("the challenge page", () => {
  async function enrolledBrowser(overrides: object = {}) {
    const { base } = await aTenant(policy(overrides));
    const token = await aSession({ sub: "quinn", sid: "q-1" });
    const enrolled = await enrollTotpViaApi(base, token);
    const cookie = `portal_session=${token}`;
    const stopped = await send(`${base}/echo/statements`, { headers: { ...browser, Cookie: cookie } });
    expect(stopped.status).toBe(303);
    const challengePath = stopped.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    const html = await (await send(`${base}${challengePath}`, { headers: { ...browser, Cookie: cookie } })).text();
    return { base, cookie, challengePath, csrf: field(html, "csrf"), html, ...enrolled };
  }

  it("takes a wrong code, then the right one, and sends the browser back where it was going with a grant", async () => {
    const { base, cookie, challengePath, csrf, html, secret, enrolledAt } = await enrolledBrowser();
    expect(html).toContain("Confirm statements");
    expect(html).toContain('autocomplete="one-time-code"');
    expect(html).toContain("Use a backup code instead");

    const wrong = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('role="alert"');

    const right = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: totpCode(secret, enrolledAt + 30_000) });
    expect(right.status).toBe(303);
    expect(right.headers.get("Location")).toBe("/echo/statements");
    const grant = right.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-stepgate-grant-statements="))!
      .split(";")[0]!;
    const through = await send(`${base}/echo/statements`, { headers: { ...browser, Cookie: `${cookie}; ${grant}` } });
    expect(through.status).toBe(200);
  });

  it("accepts a backup code", async () => {
    const { base, cookie, challengePath, csrf, backupCodes } = await enrolledBrowser();
    const backupPage = await (await send(`${base}${challengePath}?factor=backup_code`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(backupPage).toContain('name="factor" value="backup_code"');
    const answered = await postForm(base, challengePath, cookie, { csrf, factor: "backup_code", code: backupCodes[0]! });
    expect(answered.status).toBe(303);
  });

  it("shows the per-network limit with Retry-After on the page", async () => {
    const { base, cookie, challengePath, csrf, secret, enrolledAt } = await enrolledBrowser({
      lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour: 2 },
    });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 429]);
    expect(last!.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await last!.text()).toContain("Too many wrong codes from this network");
  });

  it("shows the lockout with Retry-After", async () => {
    const { base, cookie, challengePath, csrf, secret, enrolledAt } = await enrolledBrowser();
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) last = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
    expect(last!.status).toBe(429);
    expect(last!.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await last!.text()).toContain("Too many wrong codes");
  });

  it("replaces the form by when the lockout ends and whom to ask, also when the challenge is opened again", async () => {
    const { base, cookie, challengePath, csrf, secret, enrolledAt } = await enrolledBrowser({
      branding: { name: "Acme", supportUrl: "https://help.acme.test/2fa", supportEmail: "help@acme.test" },
    });
    const started = Date.now();
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) last = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
    const ended = Date.now();
    expect(last!.status).toBe(429);
    const shownEnds = [started, ended].map((at) =>
      new Intl.DateTimeFormat("en", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" }).format(at + 900_000),
    );
    for (const html of [await last!.text(), await (await send(`${base}${challengePath}`, { headers: { ...browser, Cookie: cookie } })).text()]) {
      expect(html).toMatch(/<div id="locked" data-locked-for="\d+">/);
      const until = /verification is paused until (.+?)\. You can try again after that\./.exec(html)?.[1];
      expect(shownEnds).toContain(until);
      expect(html).toContain('contact <a href="https://help.acme.test/2fa">the portal&#39;s support</a>.');
      expect(html).toContain("Times are shown in");
      expect(html).not.toContain('name="code"');
      expect(html).not.toContain("Use a backup code instead");
    }
  });

  it("offers the support address when the tenant gives only that, and the portal's support by name when neither", async () => {
    const lockedPage = async (branding: object) => {
      const { base, cookie, challengePath, csrf, secret, enrolledAt } = await enrolledBrowser({ branding: { name: "Acme", ...branding } });
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) last = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
      return last!.text();
    };
    expect(await lockedPage({ supportEmail: "help@acme.test" })).toContain('contact <a href="mailto:help@acme.test">help@acme.test</a>.');
    expect(await lockedPage({})).toContain("need help before then, contact the portal&#39;s support.");
  });

  it("refuses a form without the CSRF token, with another session's token, or from another site", async () => {
    const { base, cookie, challengePath, csrf, secret, enrolledAt } = await enrolledBrowser();
    const code = totpCode(secret, enrolledAt + 30_000);
    const missing = await postForm(base, challengePath, cookie, { factor: "totp", code });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("did not come from this site");

    const otherSession = `portal_session=${await aSession({ sub: "quinn", sid: "q-2" })}`;
    const otherHtml = await (
      await send(`${base}/__stepgate/enroll`, { headers: { ...browser, Cookie: `portal_session=${await aSession({ sub: "zed", sid: "z" })}` } })
    ).text();
    const foreignToken = field(otherHtml, "csrf");
    expect((await postForm(base, challengePath, cookie, { csrf: foreignToken, factor: "totp", code })).status).toBe(403);
    expect((await postForm(base, challengePath, otherSession, { csrf, factor: "totp", code })).status).toBe(403);

    const crossSite = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code }, "https://evil.example");
    expect(crossSite.status).toBe(403);
    // None of those spent the code: it still works from the real form.
    expect((await postForm(base, challengePath, cookie, { csrf, factor: "totp", code })).status).toBe(303);
  });

  it("shows a page, not JSON, for an unknown or expired challenge", async () => {
    const { base, cookie } = await enrolledBrowser();
    const response = await send(`${base}/__stepgate/challenge/${"x".repeat(22)}`, { headers: { ...browser, Cookie: cookie } });
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
  });

  it("asks a signed-out browser to sign in to the portal", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/__stepgate/enroll`, { headers: browser });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain("Sign in to the portal first");
  });
});

describe("codes by text and email on the hosted pages", () => {
  const codePolicy = () => policy({ factors: { sms: { enabled: true }, email: { enabled: true } } });

  it("offers the three ways to enrol, enrols a phone by form and confirms the texted code", async () => {
    const { base } = await aTenant(codePolicy());
    const cookie = `portal_session=${await aSession({ sub: "rae" })}`;
    const choice = await (await send(`${base}/__stepgate/enroll`, { headers: { ...browser, Cookie: cookie } })).text();
    for (const factor of ["totp", "sms", "email"]) expect(choice).toContain(`href="/__stepgate/enroll?factor=${factor}"`);

    const form = await (await send(`${base}/__stepgate/enroll?factor=sms`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(form).toContain('type="tel"');
    const bad = await postForm(base, "/__stepgate/enroll/sms", cookie, { csrf: field(form, "csrf"), address: "12" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("country code");

    const sent = await postForm(base, "/__stepgate/enroll/sms", cookie, { csrf: field(form, "csrf"), address: "+1 415 555 2671" });
    // Sent, then back to the page (a GET), which asks for the code sent while it works.
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe("/__stepgate/enroll?factor=sms");
    const confirmForm = await (await send(`${base}/__stepgate/enroll?factor=sms`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(confirmForm).toContain("We sent a code to <strong>+1••••••2671</strong>");
    const code = await lastCodeTo(base, "+14155552671");
    const wrong = await postForm(base, "/__stepgate/enroll", cookie, {
      csrf: field(confirmForm, "csrf"),
      enrollmentId: field(confirmForm, "enrollmentId"),
      kind: "sms",
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right");
    const done = await postForm(base, "/__stepgate/enroll", cookie, {
      csrf: field(confirmForm, "csrf"),
      enrollmentId: field(confirmForm, "enrollmentId"),
      kind: "sms",
      code,
    });
    expect(done.status).toBe(200);
    expect((await done.text()).match(/<li>[0-9a-z]{5}-[0-9a-z]{5}<\/li>/g)).toHaveLength(10);
  });

  it("texts a code from the challenge page and takes it", async () => {
    const { base, tenantId } = await aTenant(codePolicy());
    const token = await aSession({ sub: "sol" });
    const started = await send(`${base}/__stepgate/api/enroll/sms`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ phone: "+14155552671" }),
    });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    await send(`${base}/__stepgate/api/enroll/sms/confirm`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ enrollmentId, code: await lastCodeTo(base, "+14155552671") }),
    });
    await timePasses(tenantId, "sol", 31_000);
    const cookie = `portal_session=${token}`;
    const challengePath = (await send(`${base}/echo/statements`, { headers: { ...browser, Cookie: cookie } })).headers.get("Location")!;
    const page = await (await send(`${base}${challengePath}`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(page).toContain("Text me a code");
    expect(page).not.toContain('name="code"');
    expect(page).toContain("Use a backup code instead");

    const sent = await postForm(base, `${challengePath}/send`, cookie, { csrf: field(page, "csrf"), factor: "sms" });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`${challengePath}?factor=sms`);
    const sentPage = await (await send(`${base}${challengePath}?factor=sms`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(sentPage).toContain("We sent a code to <strong>+1••••••2671</strong>");
    expect(sentPage).toMatch(/<p class="muted" data-countdown="(30|29)">You can ask for a new code in <span data-wait="">(30|29) seconds<\/span>/);
    const again = await postForm(base, `${challengePath}/send`, cookie, { csrf: field(page, "csrf"), factor: "sms" });
    expect(again.status).toBe(429);

    const code = await lastCodeTo(base, "+14155552671");
    const answered = await postForm(base, challengePath, cookie, { csrf: field(page, "csrf"), factor: "sms", code });
    expect(answered.status).toBe(303);
    expect(answered.headers.get("Location")).toBe("/echo/statements");
  });
});
