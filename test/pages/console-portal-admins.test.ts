/**
 * The admin console for portal admins: their session's groups give them scopes, and the console
 * always asks for a fresh second factor (operation `admin_console`), whatever the policy's
 * `enabled` and `enforcement` say; a portal user in no admin group is refused.
 */
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { ConsoleEnv } from "../../src/app-env";
import { ALL_SCOPES } from "../../src/config/admins-schema";
import type { PolicyInput } from "../../src/config/policy-schema";
import { requireConsoleScope } from "../../src/flows/console-access";
import { grantCookieName, issueGrant } from "../../src/gate/grant";
import type { ProblemError } from "../../src/lib/problem";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const ADMINS = { groups: { security_admin: [...ALL_SCOPES], support: ["users:read", "users:write", "audit:read"] } } as PolicyInput["admins"];

async function aConsoleTenant(overrides: Partial<PolicyInput> = {}) {
  const { base, tenantId } = await aTenant(aPolicy({ admins: ADMINS, ...overrides }));
  const open = (token: string, extra: Record<string, string> = {}) =>
    send(`${base}/__stepgate/admin/`, { headers: { ...browser, Cookie: `portal_session=${token}`, ...extra } });
  return { base, tenantId, open };
}

/** The grant cookie an answered `admin_console` challenge set, as a Cookie header pair. */
function grantPair(response: Response): string {
  const set = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${grantCookieName("admin_console")}=`));
  expect(set, "an admin_console grant cookie").toBeDefined();
  return set!.split(";")[0]!;
}

function challengeIdIn(location: string | null): string {
  const id = /\/__stepgate\/(?:challenge\/|enroll\?challenge=)([\w-]+)/.exec(location ?? "")?.[1];
  expect(id, `a challenge in ${location}`).toBeDefined();
  return id!;
}

describe("the admin console for portal admins", () => {
  it("asks an enrolled admin for their factor first, then shows who they are and their scopes", async () => {
    const { base, open } = await aConsoleTenant();
    const token = await aSession({ sub: "ann", sid: "s-ann", email: "ann@acme.test", groups: ["staff", "security_admin"] });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);

    const first = await open(token);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\/[\w-]+$/);
    // The challenge page names what is being opened.
    const challenge = await send(`${base}${first.headers.get("Location")}`, { headers: { ...browser, Cookie: `portal_session=${token}` } });
    expect(await challenge.text()).toContain("<h1>Verify it&#39;s you to open the admin console</h1>");

    const verified = await verify(base, token, challengeIdIn(first.headers.get("Location")), "totp", totpCode(secret, enrolledAt + 30_000));
    expect(verified.status).toBe(200);
    // Fresh for admins.maxAgeSeconds (900 by default), not one request.
    const freshMs = Date.parse((await verified.json<{ expiresAt: string }>()).expiresAt) - Date.now();
    expect(freshMs).toBeGreaterThan(880_000);
    expect(freshMs).toBeLessThanOrEqual(900_000);

    const page = await open(token, { Cookie: `portal_session=${token}; ${grantPair(verified)}` });
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const html = await page.text();
    expect(html).toContain('<p id="signed-in-as">Signed in as ann@acme.test, through the portal.</p>');
    expect([...html.matchAll(/data-scope="([a-z:]+)"/g)].map((m) => m[1])).toEqual([...ALL_SCOPES]);
    expect(html).toContain('<a href="/__stepgate/admin/" aria-current="page">Overview</a>');
  });

  it("gives the union of the admin's groups' scopes, in the page's language", async () => {
    const { base, tenantId, open } = await aConsoleTenant({
      admins: { groups: { support: ["users:read", "audit:read"], auditors: ["audit:read", "policy:read"] } },
    });
    const token = await aSession({ sub: "sam", sid: "s-sam", groups: ["auditors", "support"] });
    await enrollTotpViaApi(base, token);
    const grant = await issueGrant(env, { tenantId, userId: "sam", sessionId: "s-sam", operation: "admin_console" }, { maxAgeSeconds: 900 }, Date.now());
    const page = await open(token, { Cookie: `portal_session=${token}; ${grantCookieName("admin_console")}=${grant.token}`, "Accept-Language": "de" });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect([...html.matchAll(/data-scope="([a-z:]+)"/g)].map((m) => m[1])).toEqual(["policy:read", "users:read", "audit:read"]);
    expect(html).toContain("Angemeldet als sam, über das Portal.");
  });

  it("asks again once the verification is older than admins.maxAgeSeconds", async () => {
    const { base, tenantId, open } = await aConsoleTenant({ admins: { ...ADMINS, maxAgeSeconds: 600 } });
    const token = await aSession({ sub: "ann", sid: "s-1", groups: ["security_admin"] });
    await enrollTotpViaApi(base, token);
    const subject = { tenantId, userId: "ann", sessionId: "s-1", operation: "admin_console" };
    const verifiedAgo = async (seconds: number) => {
      const grant = await issueGrant(env, subject, { maxAgeSeconds: 600 }, Date.now() - seconds * 1000);
      return open(token, { Cookie: `portal_session=${token}; ${grantCookieName("admin_console")}=${grant.token}` });
    };
    expect((await verifiedAgo(590)).status).toBe(200);
    const stale = await verifiedAgo(601);
    expect(stale.status).toBe(303);
    expect(stale.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\//);
    // A grant for another operation (a login) never opens the console.
    const login = await issueGrant(env, { ...subject, operation: "login" }, { maxAgeSeconds: 600 }, Date.now());
    expect((await open(token, { Cookie: `portal_session=${token}; ${grantCookieName("login")}=${login.token}` })).status).toBe(303);
  });

  it("refuses a portal user in no admin group with a 403 page, before any challenge", async () => {
    const { base, open } = await aConsoleTenant();
    const token = await aSession({ sub: "bob", groups: ["staff"] });
    await enrollTotpViaApi(base, token);
    const page = await open(token);
    expect(page.status).toBe(403);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("Your portal account is not an admin of this console.");
    expect(html).toContain("not_an_admin");
    // The JSON admin API under the same base still answers problems, with its own bearer keys.
    const api = await send(`${base}/__stepgate/admin/v1/policy`, { headers: { ...browser, Cookie: `portal_session=${token}` } });
    expect(api.status).toBe(401);
    expect(api.headers.get("Content-Type")).toContain("application/problem+json");
  });

  it("sends an unenrolled admin to enrol first even with 2FA off, and the enrolment opens the console", async () => {
    const { base, open } = await aConsoleTenant({ enabled: false });
    const token = await aSession({ sub: "ann", sid: "s-2", groups: ["support"] });
    const first = await open(token);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=[\w-]+$/);
    const { grant } = await enrollTotpViaApi(base, token, challengeIdIn(first.headers.get("Location")));
    expect(grant).toBeDefined();
    const page = await open(token, { Cookie: `portal_session=${token}; ${grantCookieName("admin_console")}=${grant}` });
    expect(page.status).toBe(200);
    expect([...(await page.text()).matchAll(/data-scope="([a-z:]+)"/g)].map((m) => m[1])).toEqual(["users:read", "users:write", "audit:read"]);
  });

  it("asks an admin whom an admin exempted from 2FA all the same", async () => {
    const { base, open } = await aConsoleTenant({ enforcement: "optional" });
    const token = await aSession({ sub: "exempt", groups: ["security_admin"] });
    const exempted = await send(`${base}/__stepgate/admin/v1/users/exempt/requirement`, {
      method: "PUT",
      headers: { Authorization: "Bearer test-admin-key", "Content-Type": "application/json" },
      body: JSON.stringify({ required: false }),
    });
    expect(exempted.status).toBe(200);
    const first = await open(token);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=/);
  });

  it("sends a browser with no way in to the key sign-in, and refuses a form post without a session", async () => {
    const { base } = await aConsoleTenant();
    const page = await send(`${base}/__stepgate/admin/`, { headers: browser });
    expect(page.status).toBe(303);
    expect(page.headers.get("Location")).toBe("/__stepgate/admin/sign-in");
    const post = await send(`${base}/__stepgate/admin/sign-out`, {
      method: "POST",
      headers: { ...browser, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: "csrf=x",
    });
    expect(post.status).toBe(401);
  });

  it("refuses a tenant operation named admin_console", async () => {
    const response = await send(`${(await aTenant()).base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: { Authorization: "Bearer test-admin-key", "Content-Type": "application/json", "If-Match": "*" },
      body: JSON.stringify(aPolicy({ operations: { admin_console: { routes: ["GET /admin"], maxAge: 86_400 } } })),
    });
    expect(response.status).toBe(422);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toEqual(["#/operations/admin_console"]);
  });
});

describe("requireConsoleScope", () => {
  const app = (scopes: ConsoleEnv["Variables"]["admin"]["scopes"]) =>
    new Hono<ConsoleEnv>()
      .use(async (c, next) => {
        c.set("admin", { actor: "user:ann", scopes });
        await next();
      })
      .get("/keys", requireConsoleScope("keys:write"), (c) => c.text("keys"))
      .onError((error) => (error as ProblemError).getResponse());

  it("refuses an admin whose scopes lack the one named, with 403 insufficient_scope", async () => {
    const refused = await app(["users:read", "users:write", "audit:read"]).request("/keys");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "insufficient_scope", requiredScope: "keys:write" });
    expect(await (await app(["keys:write"]).request("/keys")).text()).toBe("keys");
  });
});
