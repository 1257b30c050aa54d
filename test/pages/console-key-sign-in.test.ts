/**
 * Signing in to the admin console with an API key: a form with its own CSRF token, a
 * `__Host-` session cookie the tenant's object knows, ended by sign-out, revocation, 30 minutes
 * idle or 8 hours in all; wrong keys counted, audited and, past a limit, refused.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { tenantState } from "../../src/state/tenant";
import { adminGet, aTenantKey } from "../support/admin";
import { ADMIN_KEY, adminHeaders, aPolicy, aTenant, send } from "../support/builders";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const SIGN_IN = "/__stepgate/admin/sign-in";
const HOME = "/__stepgate/admin/";
const IDLE_MS = 30 * 60_000;
const ABSOLUTE_MS = 8 * 3_600_000;

/** The `name=value` of the response's Set-Cookie for `name`, and the whole header. */
function setCookie(response: Response, name: string): { pair: string; header: string } | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return header ? { pair: header.split(";")[0]!, header } : null;
}

async function aConsole(overrides: Partial<PolicyInput> = {}) {
  const { base, tenantId } = await aTenant(aPolicy(overrides));
  /** Loads the sign-in form: its CSRF token and the nonce cookie it is bound to. */
  const form = async () => {
    const page = await send(`${base}${SIGN_IN}`, { headers: browser });
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(csrf).toBeDefined();
    return { csrf: csrf!, cookie: setCookie(page, "__Host-stepgate-console-form")!.pair };
  };
  const signIn = async (key: string, options: { ip?: string; csrf?: string; cookie?: string; origin?: string } = {}) => {
    const loaded = options.csrf !== undefined && options.cookie !== undefined ? { csrf: options.csrf, cookie: options.cookie } : await form();
    return send(`${base}${SIGN_IN}`, {
      method: "POST",
      headers: {
        ...browser,
        Cookie: loaded.cookie,
        Origin: options.origin ?? base,
        "Content-Type": "application/x-www-form-urlencoded",
        ...(options.ip ? { "CF-Connecting-IP": options.ip } : {}),
      },
      body: new URLSearchParams({ csrf: loaded.csrf, key }).toString(),
    });
  };
  /** Signs in with `key` and returns the session cookie pair. */
  const session = async (key: string) => {
    const response = await signIn(key);
    expect(response.status).toBe(303);
    return setCookie(response, "__Host-stepgate-console")!.pair;
  };
  const open = (cookie: string) => send(`${base}${HOME}`, { headers: { ...browser, Cookie: cookie } });
  const audit = async (type: string) =>
    (
      await adminGet<{ entries: Array<{ type: string; actor: string | null; detail: Record<string, unknown>; ip: string | null }> }>(
        `${base}/__stepgate/admin/v1/audit?type=${type}`,
      )
    ).entries;
  /** Moves the tenant's console sessions into the past, as if time had passed. */
  const timePasses = (column: "created_at" | "last_seen_at", ms: number) =>
    runInDurableObject(tenantState(env, tenantId), async (_o, state) => {
      state.storage.sql.exec(`UPDATE console_sessions SET ${column} = ${column} - ?`, ms);
    });
  return { base, tenantId, form, signIn, session, open, audit, timePasses };
}

describe("key sign-in to the admin console", () => {
  it("opens a session with a tenant key: a __Host- HttpOnly Secure SameSite=Strict cookie, audited as the key", async () => {
    const { base, signIn, open, audit } = await aConsole();
    const key = await aTenantKey(base, ["audit:read", "users:read"]);
    const response = await signIn(key.key, { ip: "203.0.113.5" });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe(HOME);
    const cookie = setCookie(response, "__Host-stepgate-console")!;
    expect(cookie.header).toMatch(/^__Host-stepgate-console=[\w-]{43}; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Strict$/);

    const page = await open(cookie.pair);
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain(`Signed in with the API key <code>${key.id}</code>.`);
    expect([...html.matchAll(/data-scope="([a-z:]+)"/g)].map((m) => m[1])).toEqual(["users:read", "audit:read"]);
    expect(html).toContain('<p class="muted" id="session-ends">This session ends after 30 minutes without use');

    const [entry] = await audit("console.signed_in");
    expect(entry).toMatchObject({ type: "console.signed_in", actor: `key:${key.id}`, ip: "203.0.113.5", detail: { scopes: ["audit:read", "users:read"] } });
  });

  it("opens a session with the bootstrap key, with every scope", async () => {
    const { session, open, audit } = await aConsole();
    const html = await (await open(await session(ADMIN_KEY))).text();
    expect(html).toContain("Signed in with the deployment&#39;s bootstrap key.");
    expect([...html.matchAll(/data-scope=/g)]).toHaveLength(7);
    expect((await audit("console.signed_in"))[0]?.actor).toBe("bootstrap");
  });

  it("refuses a wrong key on the form, audits it with the key id it claimed, and after ten refuses the network for the hour", async () => {
    const { base, signIn, audit } = await aConsole();
    const key = await aTenantKey(base, ["users:read"]);
    const wrong = `${key.key.slice(0, -4)}AAAA`;
    const refused = await signIn(wrong, { ip: "198.51.100.7" });
    expect(refused.status).toBe(401);
    expect(setCookie(refused, "__Host-stepgate-console")).toBeNull();
    expect(await refused.text()).toContain('<p class="error" role="alert">That key is not valid here. Check it and try again.</p>');
    expect(await audit("console.sign_in_failed")).toMatchObject([{ actor: null, ip: "198.51.100.7", detail: { claimedKeyId: key.id } }]);

    for (let i = 0; i < 9; i++) expect((await signIn("not-a-key", { ip: "198.51.100.7" })).status).toBe(401);
    // The limit holds for the right key too: it is counted before it is checked.
    const limited = await signIn(key.key, { ip: "198.51.100.7" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect(await limited.text()).toContain("Too many wrong keys from this network.");
    expect(await audit("console.sign_in_failed")).toHaveLength(10);
    // Another network is not held back, and a right key is not counted against it.
    expect((await signIn(key.key, { ip: "198.51.100.8" })).status).toBe(303);
  });

  it("counts wrong guesses at the bootstrap key across all tenants: ten from one network, wherever they land", async () => {
    const ip = "192.0.2.44";
    const tenants = [await aConsole(), await aConsole(), await aConsole()];
    for (let i = 0; i < 10; i++) expect((await tenants[i % 2]!.signIn(`guess-${i}`, { ip })).status).toBe(401);
    // A third tenant, never guessed at before, refuses the network too, even the right bootstrap key.
    const [, , third] = tenants;
    const limited = await third!.signIn(ADMIN_KEY, { ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(3000);
    expect(await third!.audit("console.sign_in_failed")).toHaveLength(0);
    // Its own keys still open it from there (tenant keys are counted per tenant), and another network is not held back.
    const key = await aTenantKey(third!.base, ["users:read"]);
    expect((await third!.signIn(key.key, { ip })).status).toBe(303);
    expect((await third!.signIn(ADMIN_KEY, { ip: "192.0.2.45" })).status).toBe(303);
  });

  it("forgets a right bootstrap key's attempt deployment-wide, so only wrong guesses add up", async () => {
    const ip = "192.0.2.46";
    const { signIn } = await aConsole();
    for (let i = 0; i < 12; i++) expect((await signIn(ADMIN_KEY, { ip })).status).toBe(303);
    for (let i = 0; i < 9; i++) expect((await signIn(`guess-${i}`, { ip })).status).toBe(401);
    expect((await (await aConsole()).signIn(ADMIN_KEY, { ip })).status).toBe(303);
  });

  it("sends the console's address typed without the slash to its home page", async () => {
    const { base } = await aConsole();
    const response = await send(`${base}/__stepgate/admin?lang=fr`, { headers: browser });
    expect(response.status).toBe(308);
    expect(response.headers.get("Location")).toBe(`${HOME}?lang=fr`);
  });

  it("enforces CSRF: the form's token and its nonce cookie, and the browser's Origin", async () => {
    const { form, signIn } = await aConsole();
    const loaded = await form();
    const other = await form();
    expect((await signIn(ADMIN_KEY, { csrf: "", cookie: loaded.cookie })).status).toBe(403);
    expect((await signIn(ADMIN_KEY, { csrf: loaded.csrf, cookie: other.cookie })).status).toBe(403);
    expect((await signIn(ADMIN_KEY, { csrf: loaded.csrf, cookie: "" })).status).toBe(403);
    expect((await signIn(ADMIN_KEY, { ...loaded, origin: "https://evil.test" })).status).toBe(403);
    expect((await signIn(ADMIN_KEY, loaded)).status).toBe(303);
  });

  it("signs out with the page's token only, ending the session in the tenant's object, audited as the key", async () => {
    const { base, session, open, audit } = await aConsole();
    const key = await aTenantKey(base, ["users:read"]);
    const cookie = await session(key.key);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await open(cookie)).text())![1]!;
    const signOut = (token: string) =>
      send(`${base}/__stepgate/admin/sign-out`, {
        method: "POST",
        headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
        body: `csrf=${encodeURIComponent(token)}`,
      });
    expect((await signOut("forged")).status).toBe(403);
    const out = await signOut(csrf);
    expect(out.status).toBe(303);
    expect(out.headers.get("Location")).toBe(`${SIGN_IN}?signed-out`);
    expect(setCookie(out, "__Host-stepgate-console")!.header).toContain("Max-Age=0");
    // The cookie kept by a copy of the browser is worth nothing now.
    const after = await open(cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get("Location")).toBe(SIGN_IN);
    expect((await audit("console.signed_out"))[0]?.actor).toBe(`key:${key.id}`);
  });

  it("ends a session after 30 minutes idle, and after 8 hours however busy", async () => {
    const { session, open, timePasses } = await aConsole();
    const idle = await session(ADMIN_KEY);
    await timePasses("last_seen_at", IDLE_MS - 60_000);
    expect((await open(idle)).status).toBe(200);
    // That request started the idle clock again.
    await timePasses("last_seen_at", IDLE_MS - 60_000);
    expect((await open(idle)).status).toBe(200);
    await timePasses("last_seen_at", IDLE_MS);
    expect((await open(idle)).status).toBe(303);

    const busy = await session(ADMIN_KEY);
    await timePasses("created_at", ABSOLUTE_MS - 60_000);
    expect((await open(busy)).status).toBe(200);
    await timePasses("created_at", 60_000);
    const ended = await open(busy);
    expect(ended.status).toBe(303);
    expect(ended.headers.get("Location")).toBe(SIGN_IN);
  });

  it("ends a key's sessions when the key is revoked", async () => {
    const { base, session, open } = await aConsole();
    const key = await aTenantKey(base, ["users:read"]);
    const cookie = await session(key.key);
    expect((await open(cookie)).status).toBe(200);
    expect((await send(`${base}/__stepgate/admin/v1/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() })).status).toBe(204);
    expect((await open(cookie)).status).toBe(303);
  });

  it("is refused when the policy turns key sign-in off", async () => {
    const { base, signIn } = await aConsole({ admins: { keySignIn: false } });
    const page = await send(`${base}${SIGN_IN}`, { headers: browser });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("Signing in with an API key is turned off here.");
    expect((await signIn(ADMIN_KEY, { csrf: "x", cookie: "" })).status).toBe(403);
    // With no way in by key, the console asks for the portal's session instead of showing the form.
    expect((await send(`${base}${HOME}`, { headers: browser })).status).toBe(401);
  });

  it("ends the key sessions already open when the policy turns key sign-in off", async () => {
    const { base, session, open } = await aConsole();
    const cookie = await session(ADMIN_KEY);
    expect((await open(cookie)).status).toBe(200);
    const current = await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() });
    const patched = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": current.headers.get("ETag")!, "Content-Type": "application/merge-patch+json" }),
      body: JSON.stringify({ admins: { keySignIn: false } }),
    });
    expect(patched.status).toBe(200);
    const after = await open(cookie);
    expect(after.status).toBe(401);
    expect(after.headers.getSetCookie().some((set) => set.startsWith("__Host-stepgate-console=;"))).toBe(true);
  });

  it("keeps the language chosen in the menu for the console's next page", async () => {
    const { base, session, open } = await aConsole();
    const chosen = await send(`${base}${SIGN_IN}?lang=fr`, { headers: { ...browser, "Sec-Fetch-Site": "same-origin" } });
    expect(await chosen.text()).toContain("<h1>Se connecter à la console d&#39;administration</h1>");
    const language = setCookie(chosen, "__Host-stepgate-lang")!.pair;
    const html = await (await open(`${await session(ADMIN_KEY)}; ${language}`)).text();
    expect(html).toContain('<html lang="fr" dir="ltr">');
    expect(html).toContain("<h1>Console d&#39;administration</h1>");
  });

  it("never passes the console's cookies on to the portal", async () => {
    const { base, session } = await aConsole({ enabled: false });
    const cookie = await session(ADMIN_KEY);
    const echoed = await send(`${base}/echo/page`, { headers: { Cookie: `${cookie}; __Host-stepgate-console-form=n; theme=dark` } });
    expect((await echoed.json<{ headers: Record<string, string> }>()).headers.cookie).toBe("theme=dark");
  });
});
