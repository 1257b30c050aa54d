import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";
import { totpCode, wrongCode } from "../support/totp";

// The hosted pages as the SPA client shows them (`?embed=`): they end where the client takes over.
const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const policy = (overrides: object = {}) =>
  aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["amount"] } }, ...overrides });

type Stopped = { challengeId: string; challengeUrl: string; held: boolean; completeUrl?: string; expiresAt: string };

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

function cookieOf(response: Response, prefix: string): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith(prefix));
}

/** An enrolled user whose API withdrawal of 10 was stopped and held. */
async function heldWithdrawal(overrides: object = {}) {
  const { base } = await aTenant(policy(overrides));
  const token = await aSession({ sub: `spa-${crypto.randomUUID()}` });
  const enrolled = await enrollTotpViaApi(base, token);
  const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
  expect(stopped.status).toBe(401);
  const body = await stopped.json<Stopped>();
  expect(body.held).toBe(true);
  return { base, token, cookie: `portal_session=${token}`, ...enrolled, ...body };
}

async function openEmbedded(url: string, cookie: string, query: string, extra: Record<string, string> = {}) {
  const opened = new URL(url);
  for (const [name, value] of new URLSearchParams(query)) opened.searchParams.set(name, value);
  const page = await send(opened.href, { headers: { ...browser, Cookie: cookie, "Sec-Fetch-Site": "same-origin", ...extra } });
  expect(page.status).toBe(200);
  return page;
}

function postAnswer(base: string, challengeId: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return send(`${base}/__stepgate/challenge/${challengeId}`, {
    method: "POST",
    headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("a challenge shown in the SPA client's dialog", () => {
  it("is kept embedded by a cookie only stepgate's paths see, with a Cancel button and its nonce'd script", async () => {
    const { challengeId, challengeUrl, cookie } = await heldWithdrawal();
    const page = await openEmbedded(challengeUrl, cookie, "embed=dialog");
    const set = cookieOf(page, `__Host-stepgate-embed-${challengeId}=`);
    expect(set).toMatch(/^__Host-stepgate-embed-[\w-]{22}=dialog; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const html = await page.text();
    expect(html).toContain(`<div id="stepgate-embed" data-mode="dialog" data-challenge="${challengeId}">`);
    expect(html).toContain('<button type="button" class="secondary" id="embed-cancel" hidden="">Cancel</button>');
    const nonce = /<script nonce="([^"]+)">\(\(\) => \{\n {2}const root = document.getElementById\("stepgate-embed"\)/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    expect(page.headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}'`);
    // The page is framed by the portal's own page only.
    expect(page.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'self'");
    expect(page.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
  });

  it("never lets its cookie (or any of stepgate's) reach the portal's origin", async () => {
    const { base, challengeUrl, cookie } = await heldWithdrawal();
    const page = await openEmbedded(challengeUrl, cookie, "embed=dialog");
    const embed = cookieOf(page, "__Host-stepgate-embed-")!.split(";")[0]!;
    const echoed = await send(`${base}/echo/anything`, { headers: { Cookie: `${cookie}; ${embed}; __Host-stepgate-lang=de; theme=dark` } });
    expect(echoed.status).toBe(200);
    // The portal's own cookies go on; stepgate's never do.
    expect((await echoed.json<{ headers: Record<string, string> }>()).headers.cookie).toBe(`${cookie}; theme=dark`);
  });

  it("ends on the page that tells the client, and leaves the held request for the client to complete, once", async () => {
    const { base, token, challengeId, challengeUrl, completeUrl, cookie, secret, enrolledAt } = await heldWithdrawal();
    const page = await openEmbedded(challengeUrl, cookie, "embed=dialog&lang=de");
    const embed = cookieOf(page, "__Host-stepgate-embed-")!.split(";")[0]!;
    const html = await page.text();
    expect(html).toContain('<html lang="de"');

    const answered = await postAnswer(base, challengeId, `${cookie}; ${embed}`, {
      csrf: field(html, "csrf"),
      factor: "totp",
      code: totpCode(secret, enrolledAt + 30_000),
    });
    expect(answered.status).toBe(303);
    expect(answered.headers.get("Location")).toBe(`/__stepgate/challenge/${challengeId}/finished`);

    const finished = await send(`${base}/__stepgate/challenge/${challengeId}/finished`, { headers: { ...browser, Cookie: `${cookie}; ${embed}` } });
    expect(finished.status).toBe(200);
    const done = await finished.text();
    expect(done).toContain('<div class="card" data-embed-finished="true">');
    expect(done).toContain(`data-challenge="${challengeId}"`);
    expect(done).toContain('type: "stepgate:verified"');
    // The challenge is over: its cookie goes.
    expect(cookieOf(finished, `__Host-stepgate-embed-${challengeId}=;`)).toMatch(/Max-Age=0/);

    // The page sent nothing: the client's complete is the first and only send.
    const completed = await postJson(completeUrl!, token, {});
    expect(completed.status).toBe(200);
    expect(JSON.parse((await completed.json<{ body: string }>()).body)).toEqual({ amount: 10 });
    const again = await postJson(completeUrl!, token, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "already_completed" });
  });

  it("marks a lockout for the client, with the seconds it lasts", async () => {
    const { base, challengeId, challengeUrl, cookie, secret, enrolledAt } = await heldWithdrawal();
    const page = await openEmbedded(challengeUrl, cookie, "embed=popup");
    const embed = cookieOf(page, "__Host-stepgate-embed-")!.split(";")[0]!;
    const csrf = field(await page.text(), "csrf");
    let last: Response | undefined;
    for (let i = 0; i < 5; i++)
      last = await postAnswer(base, challengeId, `${cookie}; ${embed}`, { csrf, factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) });
    expect(last!.status).toBe(429);
    const html = await last!.text();
    const seconds = Number(/<div id="locked" data-locked-for="(\d+)">/.exec(html)?.[1]);
    expect(seconds).toBeGreaterThan(890);
    expect(seconds).toBeLessThanOrEqual(900);
    expect(html).toContain('data-mode="popup"');
  });

  it("is not made embedded by a link from another site: the page then sends the held request itself", async () => {
    const { base, challengeId, challengeUrl, cookie, secret, enrolledAt } = await heldWithdrawal();
    const page = await openEmbedded(challengeUrl, cookie, "embed=dialog", { "Sec-Fetch-Site": "cross-site" });
    expect(cookieOf(page, "__Host-stepgate-embed-")).toBeUndefined();
    const html = await page.text();
    expect(html).not.toContain("stepgate-embed");
    const answered = await postAnswer(base, challengeId, cookie, { csrf: field(html, "csrf"), factor: "totp", code: totpCode(secret, enrolledAt + 30_000) });
    expect(answered.headers.get("Location")).toBe(`/__stepgate/challenge/${challengeId}/complete`);
  });

  it("is another challenge's business: the cookie of one challenge does not embed another", async () => {
    const first = await heldWithdrawal();
    const page = await openEmbedded(first.challengeUrl, first.cookie, "embed=dialog");
    const embed = cookieOf(page, "__Host-stepgate-embed-")!.split(";")[0]!;
    const second = await postJson(`${first.base}/echo/withdraw`, first.token, { amount: 20 });
    const { challengeId } = await second.json<Stopped>();
    const other = await send(`${first.base}/__stepgate/challenge/${challengeId}`, { headers: { ...browser, Cookie: `${first.cookie}; ${embed}` } });
    expect(await other.text()).not.toContain("stepgate-embed");
  });
});

describe("a challenge shown by the SPA client's full redirect", () => {
  it("comes back to the portal's page it left, and only to a path on this host", async () => {
    for (const [asked, back] of [
      ["/wallet?tab=quick", "/wallet?tab=quick"],
      ["//evil.example/x", "/"],
      ["https://evil.example/", "/"],
    ] as const) {
      const { base, challengeId, challengeUrl, cookie, secret, enrolledAt } = await heldWithdrawal();
      const page = await openEmbedded(challengeUrl, cookie, `embed=redirect&return_to=${encodeURIComponent(asked)}`);
      const embed = cookieOf(page, "__Host-stepgate-embed-")!.split(";")[0]!;
      const html = await page.text();
      // Giving up is a plain link back: no script is needed after a redirect.
      expect(html, asked).toContain(`<a href="${back.replace("&", "&amp;")}">Cancel</a>`);
      expect(html).not.toContain('id="stepgate-embed"');
      const answered = await postAnswer(base, challengeId, `${cookie}; ${embed}`, {
        csrf: field(html, "csrf"),
        factor: "totp",
        code: totpCode(secret, enrolledAt + 30_000),
      });
      const finished = await send(`${base}${answered.headers.get("Location")}`, { headers: { ...browser, Cookie: `${cookie}; ${embed}` } });
      expect(finished.status, asked).toBe(303);
      expect(finished.headers.get("Location"), asked).toBe(back);
    }
  });
});

describe("enrolling from a challenge in the SPA client's dialog", () => {
  it("ends after the backup codes on the page that tells the client", async () => {
    const { base } = await aTenant(policy({ enforcement: "required" }));
    const token = await aSession({ sub: "spa-new" });
    const cookie = `portal_session=${token}`;
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
    const { challengeId, challengeUrl, completeUrl } = await stopped.json<Stopped & { code: string }>();
    expect(challengeUrl).toMatch(/\/__stepgate\/enroll\?challenge=/);
    const choice = await openEmbedded(challengeUrl, cookie, "embed=dialog");
    const embed = cookieOf(choice, `__Host-stepgate-embed-${challengeId}=`)!.split(";")[0]!;
    const jar = `${cookie}; ${embed}`;
    const enrolPage = await send(`${base}/__stepgate/enroll?factor=totp&challenge=${challengeId}`, { headers: { ...browser, Cookie: jar } });
    const html = await enrolPage.text();
    expect(html).toContain('id="embed-cancel"');
    const secret = /id="secret">([A-Z2-7 ]+)</.exec(html)![1]!.replace(/ /g, "");
    const fields = { csrf: field(html, "csrf"), enrollmentId: field(html, "enrollmentId"), challenge: field(html, "challenge") };
    const post = (code: string) =>
      send(`${base}/__stepgate/enroll`, {
        method: "POST",
        headers: { ...browser, Cookie: jar, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ ...fields, code }).toString(),
      });
    // A wrong code's page (a POST, its challenge in the form) keeps the way back to the client.
    const wrong = await post(wrongCode(secret));
    expect(await wrong.text()).toContain('id="embed-cancel"');
    const done = await post(totpCode(secret));
    expect(done.status).toBe(200);
    const codes = await done.text();
    expect(codes).toContain(`href="/__stepgate/challenge/${challengeId}/finished"`);
    const completed = await postJson(completeUrl!, token, {});
    expect(completed.status).toBe(200);
  });
});
