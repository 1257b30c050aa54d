/**
 * The console's API keys: the live keys listed, never their secrets; a key made with exactly the
 * scopes chosen (never one the admin lacks), its secret shown once; a key revoked after a
 * confirmation, with the keys it made; all of it behind `keys:write` and the form's token, and
 * audited as the console's admin.
 */
import { describe, expect, it } from "vitest";
import { adminGet, aTenantKey, keyHeaders } from "../support/admin";
import type { PolicyInput } from "../../src/config/policy-schema";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { aConsoleAdmin, BROWSER, type ConsoleAdmin, csrfIn, signedIn } from "../support/console";
import { enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

type LiveKey = { id: string; name: string; scopes: string[]; createdBy: string; lastUsedAt: string | null };

/** The tenant's live keys, as the admin API lists them. */
async function liveKeys(base: string): Promise<LiveKey[]> {
  return (await adminGet<{ keys: LiveKey[] }>(`${base}/__stepgate/admin/v1/keys`)).keys;
}

/** Key-management entries of the tenant's audit trail, newest first. */
async function keyAudit(base: string) {
  return (await adminGet<{ entries: Array<{ type: string; actor: string; detail: Record<string, unknown> }> }>(`${base}/__stepgate/admin/v1/audit?type=key.*`))
    .entries;
}

/** The secret in the new key's read-only field, if the page shows one. */
function shownSecret(html: string): string | null {
  const field = /<input[^>]*id="new-key"[^>]*>/.exec(html)?.[0];
  return field ? /value="([^"]+)"/.exec(field)![1]! : null;
}

/** The API's answer to `key` on `path` (`/users`, `/policy`, …). */
async function apiStatus(base: string, key: string, path: string): Promise<number> {
  return (await send(`${base}/__stepgate/admin/v1${path}`, { headers: keyHeaders(key) })).status;
}

/** An admin signed in to the console with a tenant key holding `scopes`, and that key. */
async function aKeyAdmin(scopes: string[]): Promise<ConsoleAdmin & { keyId: string }> {
  const { base, tenantId } = await aTenant();
  const { id, key } = await aTenantKey(base, scopes, "console admin");
  return { ...(await signedIn(base, tenantId, key)), keyId: id };
}

describe("the console's API keys", () => {
  it("lists the live keys by name, id, scopes in words, creator and last use, never their secrets", async () => {
    const admin = await aConsoleAdmin();
    const ci = await aTenantKey(admin.base, ["policy:read", "audit:read"], "CI deploys");
    expect(await apiStatus(admin.base, ci.key, "/policy")).toBe(200);
    const html = await admin.html("/keys");
    expect(html).toContain('<a href="/__stepgate/admin/keys" aria-current="page">API keys</a>');
    const row = new RegExp(`<tr data-key="${ci.id}">[\\s\\S]*?</tr>`).exec(html)![0];
    expect(row).toContain(">CI deploys</td>");
    expect(row).toContain(`<code>${ci.id}</code>`);
    expect([...row.matchAll(/data-scope="([a-z:]+)">([^<]+)</g)].map((m) => [m[1], m[2]])).toEqual([
      ["policy:read", "View the security settings and their history"],
      ["audit:read", "Read the activity log"],
    ]);
    expect(row).toContain(", by the bootstrap key</td>");
    expect(row).not.toContain("Never");
    expect(row).toContain(`href="/__stepgate/admin/keys/${ci.id}/revoke"`);
    expect(html).not.toContain(ci.key.slice(`sgk_${ci.id}_`.length));
  });

  it("makes a key with exactly the scopes chosen and shows its secret once, on the answer to the form", async () => {
    const admin = await aKeyAdmin(["keys:write", "users:read", "audit:read", "policy:read"]);
    const response = await admin.post("/keys", { name: "nightly export", scopes: ["users:read", "audit:read"] });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const html = await response.text();
    const secret = shownSecret(html)!;
    expect(secret).toMatch(/^sgk_[0-9a-f]{16}_[\w-]{43}$/);
    expect(html).toMatch(/<input type="text" id="new-key" class="secret" value="[^"]+" readonly="" /);
    expect(html).toContain("Copy it now and keep it somewhere safe: it is not shown again.");
    // The copy button waits for the page's own script, allowed by the response's nonce alone.
    expect(html).toContain('<button type="button" class="secondary" id="copy-key" hidden="">Copy the key</button>');
    const nonce = /<script nonce="([^"]+)">/.exec(html)![1]!;
    expect(response.headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}'`);

    expect(await apiStatus(admin.base, secret, "/users")).toBe(200);
    expect(await apiStatus(admin.base, secret, "/audit")).toBe(200);
    expect(await apiStatus(admin.base, secret, "/policy")).toBe(403);
    expect(await apiStatus(admin.base, secret, "/keys")).toBe(403);
    const made = (await liveKeys(admin.base)).find((key) => key.name === "nightly export")!;
    expect(made).toMatchObject({ scopes: ["audit:read", "users:read"], createdBy: `key:${admin.keyId}` });
    expect(secret.startsWith(`sgk_${made.id}_`)).toBe(true);

    // Loaded again, the list shows the key and never its secret.
    const again = await admin.html("/keys");
    expect(again).toContain(`<tr data-key="${made.id}">`);
    expect(again).toContain(`the key <code>${admin.keyId}</code>`);
    expect(shownSecret(again)).toBeNull();
    expect(again).not.toContain(secret.slice(`sgk_${made.id}_`.length));
    expect((await keyAudit(admin.base))[0]).toMatchObject({
      type: "key.created",
      actor: `key:${admin.keyId}`,
      detail: { keyId: made.id, name: "nightly export" },
    });
  });

  it("offers only the scopes the admin holds, and refuses one beyond them with 403 on the form, making nothing", async () => {
    const admin = await aKeyAdmin(["keys:write", "users:read"]);
    const form = await admin.html("/keys");
    expect(form).toContain('<input type="checkbox" name="scopes" value="users:read"/>');
    expect(form).toContain('<input type="checkbox" name="scopes" value="policy:write" disabled="" aria-describedby="scope-why-policy-write"/>');
    expect(form).toContain('<p class="muted" id="scope-why-policy-write">You do not hold this scope, so you cannot give it.</p>');

    const refused = await admin.post("/keys", { name: "too strong", scopes: ["users:read", "policy:write"] });
    expect(refused.status).toBe(403);
    const html = await refused.text();
    expect(html).toContain('<p class="error" role="alert" id="key-scopes-error">You cannot give scopes you do not hold: <code>policy:write</code>.</p>');
    expect(html).toContain('<fieldset aria-describedby="key-scopes-error">');
    expect(html).toContain('value="too strong"');
    expect((await liveKeys(admin.base)).map((key) => key.name)).toEqual(["console admin"]);
  });

  it.each<[Record<string, string | string[]>, { name?: string; scopes?: string }]>([
    [
      { name: "  ", scopes: [] },
      { name: "Give the key a name.", scopes: "Choose at least one scope." },
    ],
    [{ name: "ok", scopes: ["root"] }, { scopes: "Choose only among the scopes listed." }],
    [{ name: "bell\u0007", scopes: ["audit:read"] }, { name: "A name has at most 100 characters and no control characters." }],
    [{ name: "x".repeat(101), scopes: ["audit:read"] }, { name: "A name has at most 100 characters and no control characters." }],
  ])("shows what is wrong with %j beside each field (422), and makes nothing", async (fields, errors) => {
    const admin = await aConsoleAdmin();
    const response = await admin.post("/keys", fields);
    expect(response.status).toBe(422);
    const html = await response.text();
    const nameError = /<p class="error" role="alert" id="key-name-error">([^<]*)<\/p>/.exec(html)?.[1];
    const scopesError = /<p class="error" role="alert" id="key-scopes-error">([^<]*)<\/p>/.exec(html)?.[1];
    expect({ name: nameError, scopes: scopesError }).toEqual({ name: errors.name, scopes: errors.scopes });
    if (errors.name) expect(html).toMatch(/id="key-name"[^>]*aria-invalid="true" aria-describedby="key-name-error"/);
    expect(await liveKeys(admin.base)).toEqual([]);
  });

  it("revokes a key after a confirmation naming it, with the keys it made, and says so", async () => {
    const admin = await aKeyAdmin(["keys:write", "users:read"]);
    const doomed = await aTenantKey(admin.base, ["keys:write", "users:read"], "old laptop");
    const child = await (
      await send(`${admin.base}/__stepgate/admin/v1/keys`, {
        method: "POST",
        headers: keyHeaders(doomed.key),
        body: JSON.stringify({ name: "made by it", scopes: ["users:read"] }),
      })
    ).json<{ key: string }>();

    const confirm = await admin.html(`/keys/${doomed.id}/revoke`);
    expect(confirm).toContain(`The key <strong>old laptop</strong> (<code>${doomed.id}</code>), with these scopes:`);
    expect(confirm).toContain(`<form method="post" action="/__stepgate/admin/keys/${doomed.id}/revoke">`);
    // Showing the confirmation revokes nothing.
    expect(await apiStatus(admin.base, doomed.key, "/users")).toBe(200);

    const revoked = await admin.post(`/keys/${doomed.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("Location")).toBe(`/__stepgate/admin/keys?revoked=${doomed.id}`);
    expect(await apiStatus(admin.base, doomed.key, "/users")).toBe(401);
    expect(await apiStatus(admin.base, child.key, "/users")).toBe(401);
    const list = await admin.html(`/keys?revoked=${doomed.id}`);
    expect(list).toContain(`<p role="status" id="notice">The key <code>${doomed.id}</code> was revoked, with the keys it created.</p>`);
    expect(list).not.toContain(`data-key="${doomed.id}"`);
    expect((await keyAudit(admin.base))[0]).toMatchObject({ type: "key.revoked", actor: `key:${admin.keyId}`, detail: { keyId: doomed.id } });
    expect((await admin.get(`/keys/${doomed.id}/revoke`)).status).toBe(404);
  });

  it("never lets an admin revoke a key holding a scope they lack", async () => {
    const admin = await aKeyAdmin(["keys:write", "users:read"]);
    const stronger = await aTenantKey(admin.base, ["users:read", "policy:write"], "deploy bot");
    expect(await admin.html("/keys")).toMatch(
      new RegExp(`<tr data-key="${stronger.id}">[\\s\\S]*?<span class="muted">You cannot revoke it: it holds scopes you do not hold.</span>`),
    );
    const page = await admin.get(`/keys/${stronger.id}/revoke`);
    expect(page.status).toBe(403);
    expect(await page.text()).not.toContain(`action="/__stepgate/admin/keys/${stronger.id}/revoke"`);
    expect((await admin.post(`/keys/${stronger.id}/revoke`, {})).status).toBe(403);
    expect(await apiStatus(admin.base, stronger.key, "/users")).toBe(200);
  });

  it("records a key a portal admin makes as theirs, in the list and in the audit trail", async () => {
    const admins = { groups: { key_keepers: ["keys:write", "audit:read"] } } as PolicyInput["admins"];
    const { base } = await aTenant(aPolicy({ admins }));
    const token = await aSession({ sub: "ann", sid: "s-ann", groups: ["key_keepers"] });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const asked = await send(`${base}/__stepgate/admin/keys`, { headers: { ...BROWSER, Cookie: `portal_session=${token}` } });
    const challenge = /\/__stepgate\/challenge\/([\w-]+)$/.exec(asked.headers.get("Location") ?? "")![1]!;
    const verified = await verify(base, token, challenge, "totp", totpCode(secret, enrolledAt + 30_000));
    const grant = verified.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith("__Host-stepgate-grant-admin_console="))!
      .split(";")[0]!;
    const cookie = `portal_session=${token}; ${grant}`;
    const page = await send(`${base}/__stepgate/admin/keys`, { headers: { ...BROWSER, Cookie: cookie } });
    expect(page.status).toBe(200);
    const made = await send(`${base}/__stepgate/admin/keys`, {
      method: "POST",
      headers: { ...BROWSER, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: csrfIn(await page.text()), name: "reports", scopes: "audit:read" }).toString(),
    });
    expect(made.status).toBe(200);
    const [key] = await liveKeys(base);
    expect(key).toMatchObject({ name: "reports", scopes: ["audit:read"], createdBy: "user:ann" });
    expect((await keyAudit(base))[0]).toMatchObject({ type: "key.created", actor: "user:ann" });
    const list = await (await send(`${base}/__stepgate/admin/keys`, { headers: { ...BROWSER, Cookie: cookie } })).text();
    expect(list).toContain(", by ann</td>");
  });

  it("refuses an admin without keys:write everything here (403), and shows them no link to it", async () => {
    const admin = await aKeyAdmin(["users:read", "audit:read"]);
    const other = await aTenantKey(admin.base, ["users:read"], "someone's");
    expect(await admin.html("/")).not.toContain("/__stepgate/admin/keys");
    expect((await admin.get("/keys")).status).toBe(403);
    expect((await admin.get(`/keys/${other.id}/revoke`)).status).toBe(403);
    expect((await admin.post("/keys", { name: "mine", scopes: ["users:read"] })).status).toBe(403);
    expect((await admin.post(`/keys/${other.id}/revoke`, {})).status).toBe(403);
    expect((await liveKeys(admin.base)).map((key) => key.name)).toEqual(["console admin", "someone's"]);
  });

  it("refuses a form without this session's token or from another site (403), changing nothing", async () => {
    const admin = await aConsoleAdmin();
    const kept = await aTenantKey(admin.base, ["users:read"], "kept");
    expect((await admin.post("/keys", { csrf: "forged", name: "x", scopes: ["users:read"] })).status).toBe(403);
    expect((await admin.post("/keys", { name: "x", scopes: ["users:read"] }, { Origin: "https://evil.test" })).status).toBe(403);
    expect((await admin.post(`/keys/${kept.id}/revoke`, { csrf: "forged" })).status).toBe(403);
    expect((await admin.post(`/keys/${kept.id}/revoke`, {}, { Origin: "https://evil.test" })).status).toBe(403);
    expect((await liveKeys(admin.base)).map((key) => key.name)).toEqual(["kept"]);
    expect(await apiStatus(admin.base, kept.key, "/users")).toBe(200);
  });
});
