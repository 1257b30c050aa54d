/**
 * Leaving a code page and coming back: a challenge or an enrolment whose code was sent asks for
 * that code again while it works (sending it redirected to the page, so a reload or Back sends
 * nothing), and the wait before another code is counted down beside the send button, with the
 * page's script allowed by the response's nonce — never a refusal to wait out blind.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { lastCodeTo, timePasses } from "../support/outbox";
import { postJson } from "../support/step-up";

const PHONE = "+14155552671";
const browser = { Accept: "text/html", "User-Agent": "Mozilla/5.0 (test)" };
const policy = () =>
  aPolicy({
    enforcement: "required",
    factors: { sms: { enabled: true }, email: { enabled: true } },
    operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } },
  });

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!;
}

/** The seconds the page says are left before another code, or `null` when it shows no wait. */
function waitShown(html: string): number | null {
  const match = /data-countdown="(\d+)"/.exec(html);
  return match ? Number(match[1]) : null;
}

/** A portal user with `sub` signed in to a new tenant, and the page helpers for them. */
async function aUser(sub: string) {
  const { base, tenantId } = await aTenant(policy());
  const token = await aSession({ sub });
  const cookie = `portal_session=${token}`;
  const get = (path: string) => send(`${base}${path}`, { headers: { ...browser, Cookie: cookie } });
  const post = (path: string, fields: Record<string, string>) =>
    send(`${base}${path}`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  return { base, tenantId, sub, token, get, post };
}

/** A user whose phone is enrolled (through the API), past the enrolment text's cooldown. */
async function aUserWithAPhone(sub: string) {
  const user = await aUser(sub);
  const started = await postJson(`${user.base}/__stepgate/api/enroll/sms`, user.token, { phone: PHONE });
  const { enrollmentId } = await started.json<{ enrollmentId: string }>();
  const code = await lastCodeTo(user.base, PHONE);
  expect((await postJson(`${user.base}/__stepgate/api/enroll/sms/confirm`, user.token, { enrollmentId, code })).status).toBe(200);
  await timePasses(user.tenantId, sub, 31_000);
  return user;
}

async function aChallenge(user: Awaited<ReturnType<typeof aUser>>): Promise<string> {
  const stopped = await user.get("/echo/statements");
  expect(stopped.status).toBe(303);
  return stopped.headers.get("Location")!;
}

describe("a challenge's code, when the page is opened again", () => {
  it("is asked for, with the seconds left before a new one and the countdown's script allowed by the page's nonce", async () => {
    const user = await aUserWithAPhone("cal");
    const challenge = await aChallenge(user);
    const first = await (await user.get(challenge)).text();
    expect(first).toContain("Text me a code");
    expect(waitShown(first)).toBeNull();

    const sent = await user.post(`${challenge}/send`, { csrf: field(first, "csrf"), factor: "sms" });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe(`${challenge}?factor=sms`);

    // Away and back, by the page's own address or by the challenge's plain one.
    for (const path of [`${challenge}?factor=sms`, challenge]) {
      const again = await user.get(path);
      const html = await again.text();
      expect(html, path).toContain("We sent a code to <strong>+1••••••2671</strong>. Enter it below.");
      expect(html, path).toContain('name="code"');
      expect(html, path).toContain("Send a new code");
      expect(waitShown(html), path).toBeGreaterThanOrEqual(29);
      expect(waitShown(html), path).toBeLessThanOrEqual(30);
      const nonce = /<script nonce="([^"]+)">/.exec(html)![1]!;
      expect(html).toContain(`<style nonce="${nonce}">`);
      expect(again.headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}'`);
    }

    const answered = await user.post(challenge, { csrf: field(first, "csrf"), factor: "sms", code: await lastCodeTo(user.base, PHONE) });
    expect(answered.status).toBe(303);
    expect(answered.headers.get("Location")).toBe("/echo/statements");
  });

  it("gives way to sending a new one once it has expired, with no wait and no script left", async () => {
    const user = await aUserWithAPhone("dee");
    const challenge = await aChallenge(user);
    const page = await (await user.get(challenge)).text();
    await user.post(`${challenge}/send`, { csrf: field(page, "csrf"), factor: "sms" });
    await timePasses(user.tenantId, user.sub, 301_000);

    const later = await user.get(challenge);
    const html = await later.text();
    expect(html).toContain("We will send a code to");
    expect(html).toContain("Text me a code");
    expect(html).not.toContain('name="code"');
    expect(waitShown(html)).toBeNull();
    expect(html).not.toContain("<script");
    expect(later.headers.get("Content-Security-Policy")).not.toContain("script-src");
  });

  it("is not another challenge's: a new challenge right after offers to send, with the wait counted down instead of refused", async () => {
    const user = await aUserWithAPhone("eve");
    const first = await aChallenge(user);
    const page = await (await user.get(first)).text();
    await user.post(`${first}/send`, { csrf: field(page, "csrf"), factor: "sms" });

    const second = await aChallenge(user);
    expect(second).not.toBe(first);
    const html = await (await user.get(second)).text();
    expect(html).not.toContain('name="code"');
    expect(html).toContain("Text me a code");
    expect(html).toMatch(/You can ask for a code in <span data-wait="">(29|30) seconds<\/span>\./);
    expect(waitShown(html)).toBeGreaterThanOrEqual(29);

    // Pressed anyway (no script): the wait is said again, and the page keeps counting it down.
    const early = await user.post(`${second}/send`, { csrf: field(html, "csrf"), factor: "sms" });
    expect(early.status).toBe(429);
    const refused = await early.text();
    expect(refused).toContain("before asking for another code");
    expect(waitShown(refused)).toBeGreaterThan(0);
  });

  it("is not asked for once wrong answers have used it up", async () => {
    const user = await aUserWithAPhone("fay");
    const challenge = await aChallenge(user);
    const page = await (await user.get(challenge)).text();
    await user.post(`${challenge}/send`, { csrf: field(page, "csrf"), factor: "sms" });
    const code = await lastCodeTo(user.base, PHONE);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 3; i++) await user.post(challenge, { csrf: field(page, "csrf"), factor: "sms", code: wrong });

    const html = await (await user.get(challenge)).text();
    expect(html).not.toContain('name="code"');
    expect(html).toContain("Text me a code");
  });
});

describe("an enrolment's code, when the page is opened again", () => {
  it("is asked for with the address it went to, and another address can still be given", async () => {
    const user = await aUser("gus");
    const form = await (await user.get("/__stepgate/enroll?factor=sms")).text();
    const sent = await user.post("/__stepgate/enroll/sms", { csrf: field(form, "csrf"), address: PHONE });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("Location")).toBe("/__stepgate/enroll?factor=sms");

    const again = await (await user.get("/__stepgate/enroll?factor=sms")).text();
    expect(again).toContain("We sent a code to <strong>+1••••••2671</strong>");
    expect(again).toContain('name="code"');
    expect(waitShown(again)).toBeGreaterThanOrEqual(29);
    expect(again).toContain('href="/__stepgate/enroll?factor=sms&amp;change=1"');

    const other = await (await user.get("/__stepgate/enroll?factor=sms&change=1")).text();
    expect(other).toContain('name="address"');
    expect(other).not.toContain('name="code"');

    const done = await user.post("/__stepgate/enroll", {
      csrf: field(again, "csrf"),
      enrollmentId: field(again, "enrollmentId"),
      kind: "sms",
      code: await lastCodeTo(user.base, PHONE),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Save your backup codes");
  });

  it("keeps the challenge it answers when sent, and asks for the address again once the code has expired", async () => {
    const user = await aUser("hal");
    const challenge = (await aChallenge(user)).split("=")[1]!;
    const form = await (await user.get(`/__stepgate/enroll?factor=email&challenge=${challenge}`)).text();
    const sent = await user.post("/__stepgate/enroll/email", { csrf: field(form, "csrf"), address: "hal@acme.test", challenge });
    expect(sent.headers.get("Location")).toBe(`/__stepgate/enroll?factor=email&challenge=${challenge}`);
    const resumed = await (await user.get(`/__stepgate/enroll?factor=email&challenge=${challenge}`)).text();
    expect(resumed).toContain("We sent a code to <strong>h••@acme.test</strong>");
    expect(field(resumed, "challenge")).toBe(challenge);
    expect(resumed).toContain("Use a different email address");

    await timePasses(user.tenantId, user.sub, 301_000);
    const expired = await (await user.get(`/__stepgate/enroll?factor=email&challenge=${challenge}`)).text();
    expect(expired).toContain('name="address"');
    expect(expired).not.toContain('name="code"');
  });

  it("after a resend too soon shows the code form still, with the wait", async () => {
    const user = await aUser("ida");
    const form = await (await user.get("/__stepgate/enroll?factor=sms")).text();
    await user.post("/__stepgate/enroll/sms", { csrf: field(form, "csrf"), address: PHONE });
    const page = await (await user.get("/__stepgate/enroll?factor=sms")).text();
    const early = await user.post("/__stepgate/enroll/sms/resend", { csrf: field(page, "csrf"), enrollmentId: field(page, "enrollmentId") });
    expect(early.status).toBe(429);
    const html = await early.text();
    expect(html).toContain('name="code"');
    expect(waitShown(html)).toBeGreaterThan(0);
  });
});
