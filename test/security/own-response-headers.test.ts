/**
 * Framing, sniffing, referrers and caches: every response stepgate makes itself — each hosted
 * page, each API answer, each problem, on its own routes and on the portal's paths — carries a
 * strict Content-Security-Policy (`frame-ancestors 'none'`, or `'self'` for the challenge and
 * enrolment pages the SPA client frames; no inline style or script without
 * the response's nonce, no `script-src` at all on a page without a script), `X-Frame-Options`, `Referrer-Policy`, `nosniff` and `Cache-Control:
 * no-store`; the origin's own answers, proxied or completed from a held request, pass untouched.
 */
import { describe, expect, it } from "vitest";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson, sessionHeaders } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const ID = "A".repeat(22);

const policy = () =>
  aPolicy({
    enforcement: "required",
    factors: { sms: { enabled: true }, email: { enabled: true } },
    operations: {
      withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["/amount"] },
      statements: { routes: ["GET /echo/statements"], maxAge: 600 },
    },
  });

/** Who may frame a response: nobody, or the portal's own pages (the challenge and enrolment, for the SPA client). */
type Framing = "none" | "self";

function expectOwnHeaders(response: Response, label: string, framing: Framing = "none"): void {
  expect(response.headers.get("Cache-Control"), label).toBe("no-store");
  const csp = response.headers.get("Content-Security-Policy") ?? "";
  expect(csp, label).toContain("default-src 'none'");
  expect(csp, label).toContain(`frame-ancestors '${framing}'`);
  expect(csp, label).toContain("form-action 'self'");
  expect(csp, label).not.toContain("unsafe-inline");
  expect(response.headers.get("X-Frame-Options"), label).toBe(framing === "self" ? "SAMEORIGIN" : "DENY");
  expect(response.headers.get("Referrer-Policy"), label).toBe("same-origin");
  expect(response.headers.get("X-Content-Type-Options"), label).toBe("nosniff");
}

/**
 * A page: its headers, every `<style>` in it carrying the nonce its policy allows, and every
 * `<script>` the same nonce, which its policy allows as a script only when the page has one.
 */
async function expectOwnPage(response: Response, label: string, framing: Framing = "none"): Promise<string> {
  expectOwnHeaders(response, label, framing);
  const html = await response.text();
  const styles = [...html.matchAll(/<style([^>]*)>/g)].map((m) => m[1]);
  expect(styles.length, label).toBeGreaterThan(0);
  const csp = response.headers.get("Content-Security-Policy")!;
  const nonces = new Set<string>();
  for (const attributes of styles) {
    const nonce = / nonce="([A-Za-z0-9+/=]{16,})"/.exec(attributes!)?.[1];
    expect(nonce, `${label}: <style${attributes}>`).toBeDefined();
    expect(csp, label).toContain(`style-src 'nonce-${nonce}'`);
    nonces.add(nonce!);
  }
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
  for (const attributes of scripts) {
    expect(attributes, label).toMatch(/^ nonce="[A-Za-z0-9+/=]{16,}"$/);
    nonces.add(/ nonce="([^"]+)"/.exec(attributes)![1]!);
  }
  expect(nonces.size, `${label}: one nonce per response`).toBe(1);
  if (scripts.length > 0) expect(csp, label).toContain(`script-src 'nonce-${[...nonces][0]}'`);
  else expect(csp, label).not.toContain("script-src");
  expect(html, label).not.toMatch(/style="|\son[a-z]+="/);
  return html;
}

function field(html: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!.replace(/&amp;/g, "&");
}

describe("stepgate's own pages", () => {
  it("every hosted page, from the protected link to the settings, carries the headers and a nonce on its style", async () => {
    const { base } = await aTenant(policy());
    const cookie = `portal_session=${await aSession({ sub: "hal", email: "hal@acme.test" })}`;
    const get = (path: string) => send(`${base}${path}`, { headers: { ...browser, Cookie: cookie } });
    const postForm = (path: string, fields: Record<string, string>) =>
      send(`${base}${path}`, {
        method: "POST",
        headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });

    // A page load of a protected path: the 303 to enrolment is stepgate's answer, on the portal's path.
    const stopped = await get("/echo/statements");
    expect(stopped.status).toBe(303);
    expectOwnHeaders(stopped, "303 to the challenge");
    const enrollPath = stopped.headers.get("Location")!;

    await expectOwnPage(await get(enrollPath), "enrol: choose a factor", "self");
    await expectOwnPage(await get(`${enrollPath}&factor=sms`), "enrol: phone number", "self");
    const totpPage = await get(`${enrollPath}&factor=totp`);
    const enrollHtml = await expectOwnPage(totpPage, "enrol: authenticator app", "self");
    const secret = /id="secret">([A-Z2-7 ]+)</.exec(enrollHtml)![1]!.replace(/ /g, "");
    const confirmed = await postForm("/__stepgate/enroll", {
      csrf: field(enrollHtml, "csrf"),
      enrollmentId: field(enrollHtml, "enrollmentId"),
      challenge: field(enrollHtml, "challenge"),
      code: totpCode(secret),
    });
    const codesPage = await expectOwnPage(confirmed, "backup codes", "self");
    expect(codesPage).toContain("Save your backup codes");
    // Its copy and print buttons are the page's script's: the policy lets that one script run.
    expect(codesPage).toContain("<script nonce=");
    expect(confirmed.headers.get("Content-Security-Policy")).toMatch(/; script-src 'nonce-[A-Za-z0-9+/=]{16,}'$/);

    // A form posted to a protected path is held and sent on to its challenge; one that cannot be
    // held (a file upload) gets the 401 page in place of the portal's answer.
    const form = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=10",
    });
    expect(form.status).toBe(303);
    const challengePath = form.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    await expectOwnPage(await get(challengePath), "challenge", "self");
    const upload = new FormData();
    upload.append("amount", "10");
    upload.append("proof", new File(["receipt"], "receipt.txt", { type: "text/plain" }));
    const notKept = await send(`${base}/echo/withdraw`, { method: "POST", headers: { ...browser, Cookie: cookie }, body: upload });
    expect(notKept.status).toBe(401);
    await expectOwnPage(notKept, "step-up required");
    // The settings and the admin console are never framed, not even by the portal's own pages.
    await expectOwnPage(await get("/__stepgate/settings"), "settings");
    await expectOwnPage(await get("/__stepgate/admin/sign-in"), "admin console's sign-in");

    // Errors as pages: on stepgate's routes and on the portal's paths.
    const missing = await get(`/__stepgate/challenge/${ID}`);
    expect(missing.status).toBe(404);
    await expectOwnPage(missing, "error page of a challenge", "self");
    const reserved = await get("/__StepGate/anything");
    expect(reserved.status).toBe(404);
    await expectOwnPage(reserved, "error page on a portal path");
  });
});

describe("stepgate's own JSON answers", () => {
  it("carry the headers and no-store, above all those with a TOTP secret, backup codes or a grant", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "ivy" });
    const user = (path: string, body?: unknown) =>
      body === undefined ? send(`${base}/__stepgate/api${path}`, { headers: sessionHeaders(token) }) : postJson(`${base}/__stepgate/api${path}`, token, body);

    const started = await user("/enroll/totp", {});
    expect(await started.clone().json()).toHaveProperty("secret");
    expectOwnHeaders(started, "TOTP secret");
    const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
    const confirmed = await user("/enroll/totp/confirm", { enrollmentId, code: totpCode(secret) });
    expect(await confirmed.clone().json()).toHaveProperty("backupCodes");
    expectOwnHeaders(confirmed, "backup codes");
    const { backupCodes } = await confirmed.json<{ backupCodes: string[] }>();

    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 5 });
    expect(stopped.status).toBe(401);
    expectOwnHeaders(stopped, "401 step_up_required on a portal path");
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const verified = await user(`/challenges/${challengeId}/verify`, { factor: "backup_code", code: backupCodes[0] });
    expect(await verified.clone().json()).toHaveProperty("grant");
    expectOwnHeaders(verified, "grant");

    const sweep: Array<[string, Promise<Response>]> = [
      ["GET /me", user("/me")],
      ["GET /devices", user("/devices")],
      ["GET /activity", user("/activity")],
      ["GET /challenges/:id", user(`/challenges/${challengeId}`)],
      ["POST /backup-codes", user("/backup-codes", {})],
      ["POST /challenges/:id/verify (refused)", user(`/challenges/${ID}/verify`, { factor: "totp", code: "000000" })],
      ["GET /__stepgate/api (unknown)", user("/nothing-here")],
      ["GET /healthz", send(`${base}/__stepgate/healthz`)],
      ["GET openapi.json", send(`${base}/__stepgate/admin/v1/openapi.json`)],
      ["GET /policy", send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })],
      ["GET /policy/history", send(`${base}/__stepgate/admin/v1/policy/history`, { headers: adminHeaders() })],
      ["GET /users", send(`${base}/__stepgate/admin/v1/users`, { headers: adminHeaders() })],
      ["GET /users/:id", send(`${base}/__stepgate/admin/v1/users/ivy`, { headers: adminHeaders() })],
      ["GET /audit", send(`${base}/__stepgate/admin/v1/audit`, { headers: adminHeaders() })],
      ["GET /keys", send(`${base}/__stepgate/admin/v1/keys`, { headers: adminHeaders() })],
      [
        "POST /keys",
        send(`${base}/__stepgate/admin/v1/keys`, { method: "POST", headers: adminHeaders(), body: JSON.stringify({ name: "ci", scopes: ["audit:read"] }) }),
      ],
      ["admin without a key", send(`${base}/__stepgate/admin/v1/policy`)],
    ];
    for (const [label, answer] of sweep) expectOwnHeaders(await answer, label);
  });
});

describe("the origin's answers", () => {
  it("pass through the proxy without stepgate's headers", async () => {
    const { base } = await aTenant(policy());
    for (const path of ["/echo/open", "/status/404", "/redirect"]) {
      const response = await send(`${base}${path}`, { headers: browser });
      for (const name of ["Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options", "Cache-Control"]) {
        expect(response.headers.get(name), `${path} ${name}`).toBeNull();
      }
    }
  });

  it("keep their own headers when a held request is completed", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "jon" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const stopped = await (await postJson(`${base}/echo/withdraw`, token, { amount: 7 })).json<{ challengeId: string; completeUrl: string }>();
    const verified = await postJson(`${base}/__stepgate/api/challenges/${stopped.challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(verified.status).toBe(200);
    const done = await postJson(stopped.completeUrl, token, {});
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ path: "/echo/withdraw" });
    expect(done.headers.get("Content-Security-Policy")).toBeNull();
    expect(done.headers.get("X-Frame-Options")).toBeNull();
  });
});
