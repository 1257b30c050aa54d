import { describe, expect, it } from "vitest";
import { adminHeaders, aTenant, send } from "../support/builders";
import { aTenantKey, keyHeaders } from "../support/admin";

/** Every admin route, the scope it needs, and a request that is otherwise acceptable enough to get past auth. */
const ROUTES: Array<{ method: string; path: string; scope: string; body?: unknown }> = [
  { method: "GET", path: "/policy", scope: "policy:read" },
  { method: "GET", path: "/policy/history", scope: "policy:read" },
  { method: "PUT", path: "/policy", scope: "policy:write", body: {} },
  { method: "PATCH", path: "/policy", scope: "policy:write", body: {} },
  { method: "GET", path: "/users", scope: "users:read" },
  { method: "GET", path: "/users/someone", scope: "users:read" },
  { method: "POST", path: "/users/someone/reset", scope: "users:write" },
  { method: "POST", path: "/users/someone/unlock", scope: "users:write" },
  { method: "PUT", path: "/users/someone/requirement", scope: "users:write", body: { required: null } },
  { method: "DELETE", path: "/users/someone/devices/nope", scope: "users:write" },
  { method: "GET", path: "/audit", scope: "audit:read" },
  { method: "GET", path: "/keys", scope: "keys:write" },
  { method: "POST", path: "/keys", scope: "keys:write", body: { name: "made by a key", scopes: ["keys:write"] } },
  { method: "DELETE", path: "/keys/0123456789abcdef", scope: "keys:write" },
  { method: "GET", path: "/webhooks", scope: "webhooks:write" },
  { method: "POST", path: "/webhooks", scope: "webhooks:write", body: { url: "https://hooks.example.com/", eventTypes: ["*"], enabled: false } },
  { method: "GET", path: "/webhooks/wh_0123456789abcdef", scope: "webhooks:write" },
  { method: "PATCH", path: "/webhooks/wh_0123456789abcdef", scope: "webhooks:write", body: { enabled: false } },
  { method: "DELETE", path: "/webhooks/wh_0123456789abcdef", scope: "webhooks:write" },
  { method: "POST", path: "/webhooks/wh_0123456789abcdef/rotate-secret", scope: "webhooks:write" },
  { method: "POST", path: "/webhooks/wh_0123456789abcdef/test", scope: "webhooks:write" },
  { method: "GET", path: "/webhooks/wh_0123456789abcdef/deliveries", scope: "webhooks:write" },
];
const SCOPES = ["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write", "webhooks:write"];

function call(base: string, route: (typeof ROUTES)[number], headers: Record<string, string>): Promise<Response> {
  return send(`${base}/__stepgate/admin/v1${route.path}`, {
    method: route.method,
    headers,
    body: route.body === undefined ? undefined : JSON.stringify(route.body),
  });
}

describe("admin keys and scopes", () => {
  it("lets each single-scope key call exactly the routes of its scope, and answers 403 insufficient_scope elsewhere", async () => {
    const { base } = await aTenant();
    for (const scope of SCOPES) {
      const { key } = await aTenantKey(base, [scope], `only ${scope}`);
      for (const route of ROUTES) {
        const response = await call(base, route, keyHeaders(key));
        const label = `${scope} → ${route.method} ${route.path}`;
        if (route.scope === scope) {
          expect([401, 403], label).not.toContain(response.status);
        } else {
          expect(response.status, label).toBe(403);
          expect(await response.json(), label).toMatchObject({ code: "insufficient_scope", requiredScope: route.scope });
          expect(response.headers.get("WWW-Authenticate"), label).toContain('error="insufficient_scope"');
        }
      }
    }
  });

  it("refuses every route without a key, with a malformed key, and with another tenant's key (401)", async () => {
    const { base } = await aTenant();
    const other = await aTenant();
    const { key: foreign } = await aTenantKey(other.base, SCOPES);
    const forged = `sgk_0123456789abcdef_${"A".repeat(43)}`;
    for (const headers of [{}, { Authorization: "Bearer nope" }, keyHeaders(foreign), keyHeaders(forged), { Authorization: `Basic ${btoa("x:y")}` }]) {
      for (const route of ROUTES) {
        const response = await call(base, route, headers);
        expect(response.status, `${route.method} ${route.path}`).toBe(401);
        expect((await response.json<{ code: string }>()).code).toBe("unauthorized");
      }
    }
  });

  it("shows a key once, lists it without the secret, and refuses it at once after revocation", async () => {
    const { base } = await aTenant();
    const created = await send(`${base}/__stepgate/admin/v1/keys`, {
      method: "POST",
      headers: adminHeaders(),
      body: JSON.stringify({ name: "ci", scopes: ["policy:read", "audit:read", "policy:read"] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("Cache-Control")).toBe("no-store");
    const key = await created.json<{ id: string; key: string; scopes: string[]; createdBy: string }>();
    expect(key.key).toMatch(/^sgk_[0-9a-f]{16}_[\w-]{43}$/);
    expect(key).toMatchObject({ scopes: ["audit:read", "policy:read"], createdBy: "bootstrap" });

    expect((await send(`${base}/__stepgate/admin/v1/policy`, { headers: keyHeaders(key.key) })).status).toBe(200);
    const listed = await (await send(`${base}/__stepgate/admin/v1/keys`, { headers: adminHeaders() })).text();
    expect(listed).toContain(key.id);
    // The secret is all after `sgk_<id>_` (a base64url secret may itself contain `_`).
    expect(listed).not.toContain(key.key.slice(`sgk_${key.id}_`.length));
    expect(JSON.parse(listed).keys[0].lastUsedAt).not.toBeNull();

    expect((await send(`${base}/__stepgate/admin/v1/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() })).status).toBe(204);
    expect((await send(`${base}/__stepgate/admin/v1/policy`, { headers: keyHeaders(key.key) })).status).toBe(401);
    expect((await send(`${base}/__stepgate/admin/v1/keys/${key.id}`, { method: "DELETE", headers: adminHeaders() })).status).toBe(404);
  });

  it("never lets a key make a key stronger than itself", async () => {
    const { base } = await aTenant();
    const { key } = await aTenantKey(base, ["keys:write", "users:read"]);
    const stronger = await send(`${base}/__stepgate/admin/v1/keys`, {
      method: "POST",
      headers: keyHeaders(key),
      body: JSON.stringify({ name: "x", scopes: ["users:read", "policy:write"] }),
    });
    expect(stronger.status).toBe(403);
    expect(await stronger.json()).toMatchObject({ code: "insufficient_scope", errors: [{ pointer: "#/scopes" }] });
    const same = await send(`${base}/__stepgate/admin/v1/keys`, {
      method: "POST",
      headers: keyHeaders(key),
      body: JSON.stringify({ name: "x", scopes: ["users:read"] }),
    });
    expect(same.status).toBe(201);
    expect((await same.json<{ createdBy: string }>()).createdBy).toMatch(/^key:[0-9a-f]{16}$/);
  });

  it("never lets a key revoke a stronger one, and revoking a key revokes the keys it made", async () => {
    const { base } = await aTenant();
    const strong = await aTenantKey(base, ["keys:write", "policy:write", "users:read"]);
    const weak = await aTenantKey(base, ["keys:write"]);
    const tooStrong = await send(`${base}/__stepgate/admin/v1/keys/${strong.id}`, { method: "DELETE", headers: keyHeaders(weak.key) });
    expect(tooStrong.status).toBe(403);
    expect((await send(`${base}/__stepgate/admin/v1/policy`, { headers: keyHeaders(strong.key) })).status).toBe(403); // still alive (lacks policy:read)
    // The strong key makes a child, which makes a grandchild; revoking the strong key ends all three.
    const child = await (
      await send(`${base}/__stepgate/admin/v1/keys`, {
        method: "POST",
        headers: keyHeaders(strong.key),
        body: JSON.stringify({ name: "child", scopes: ["keys:write", "users:read"] }),
      })
    ).json<{ id: string; key: string }>();
    const grandchild = await (
      await send(`${base}/__stepgate/admin/v1/keys`, {
        method: "POST",
        headers: keyHeaders(child.key),
        body: JSON.stringify({ name: "grandchild", scopes: ["users:read"] }),
      })
    ).json<{ key: string }>();
    expect((await send(`${base}/__stepgate/admin/v1/users`, { headers: keyHeaders(grandchild.key) })).status).toBe(200);
    expect((await send(`${base}/__stepgate/admin/v1/keys/${strong.id}`, { method: "DELETE", headers: adminHeaders() })).status).toBe(204);
    for (const key of [strong.key, child.key, grandchild.key])
      expect((await send(`${base}/__stepgate/admin/v1/users`, { headers: keyHeaders(key) })).status).toBe(401);
    expect((await send(`${base}/__stepgate/admin/v1/keys`, { headers: keyHeaders(weak.key) })).status).toBe(200);
  });

  it.each([
    [{ name: "", scopes: ["audit:read"] }, "#/name"],
    [{ name: "x", scopes: [] }, "#/scopes"],
    [{ name: "x", scopes: ["root"] }, "#/scopes/0"],
    [{ name: "x", scopes: ["audit:read"], admin: true }, "#/admin"],
    [{ name: "bell\u0007", scopes: ["audit:read"] }, "#/name"],
  ])("refuses a bad key request %j naming %s, and makes no key", async (body, pointer) => {
    const { base } = await aTenant();
    const response = await send(`${base}/__stepgate/admin/v1/keys`, { method: "POST", headers: adminHeaders(), body: JSON.stringify(body) });
    expect(response.status).toBe(422);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain(pointer);
    expect((await (await send(`${base}/__stepgate/admin/v1/keys`, { headers: adminHeaders() })).json<{ keys: unknown[] }>()).keys).toEqual([]);
  });

  it("records key creation and revocation in the tenant's audit", async () => {
    const { base } = await aTenant();
    const { id } = await aTenantKey(base, ["audit:read"]);
    await send(`${base}/__stepgate/admin/v1/keys/${id}`, { method: "DELETE", headers: adminHeaders({ "CF-Connecting-IP": "198.51.100.4" }) });
    const { entries } = await (await send(`${base}/__stepgate/admin/v1/audit?type=key.*`, { headers: adminHeaders() })).json<{
      entries: Array<{ type: string; actor: string; ip: string | null }>;
    }>();
    expect(entries.map((e) => e.type)).toEqual(["key.revoked", "key.created"]);
    expect(entries[0]).toMatchObject({ actor: "bootstrap", ip: "198.51.100.4" });
  });
});

describe("bad input on admin JSON routes", () => {
  const ROUTES_WITH_BODIES = [
    {
      method: "POST",
      path: "/keys",
      check: async (base: string) =>
        (await (await send(`${base}/__stepgate/admin/v1/keys`, { headers: adminHeaders() })).json<{ keys: unknown[] }>()).keys.length === 0,
    },
    {
      method: "PUT",
      path: "/users/ulf/requirement",
      check: async (base: string) => (await send(`${base}/__stepgate/admin/v1/users/ulf`, { headers: adminHeaders() })).status === 404,
    },
  ];

  it.each([
    ["malformed JSON", "{ nope", "application/json", 400, "malformed_json"],
    ["a non-JSON content type", "{}", "text/plain", 415, "unsupported_media_type"],
    ["an oversized body", JSON.stringify({ name: "x".repeat(70_000) }), "application/json", 413, "body_too_large"],
  ])("answers %s with a problem and writes nothing", async (_label, body, type, status, code) => {
    const { base } = await aTenant();
    for (const route of ROUTES_WITH_BODIES) {
      const response = await send(`${base}/__stepgate/admin/v1${route.path}`, { method: route.method, headers: adminHeaders({ "Content-Type": type }), body });
      expect(response.status, route.path).toBe(status);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await response.json(), route.path).toMatchObject({ code });
      expect(await route.check(base), route.path).toBe(true);
    }
  });

  it("answers a host no tenant serves with 421, before any key is looked at", async () => {
    const response = await send("https://nobody.portal.test/__stepgate/admin/v1/policy", { headers: adminHeaders() });
    expect(response.status).toBe(421);
    expect(await response.json()).toMatchObject({ code: "unknown_host" });
  });
});
