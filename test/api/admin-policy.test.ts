import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { kvKeys } from "../../src/config/kv-keys";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";

const policyUrl = (base: string) => `${base}/__stepgate/admin/v1/policy`;

async function currentEtag(base: string): Promise<string> {
  const response = await send(policyUrl(base), { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return response.headers.get("ETag")!;
}

describe("admin policy: authentication", () => {
  it.each([
    ["no key", {}],
    ["a wrong key", { Authorization: "Bearer wrong" }],
    ["an empty bearer", { Authorization: "Bearer " }],
    ["another scheme", { Authorization: "Basic dGVzdC1hZG1pbi1rZXk=" }],
  ])("refuses %s with 401", async (_label, headers) => {
    const { base } = await aTenant();
    for (const method of ["GET", "PUT"]) {
      const response = await send(policyUrl(base), { method, headers, body: method === "PUT" ? "{}" : undefined });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ code: "unauthorized" });
    }
  });
});

describe("admin policy: GET", () => {
  it("returns the stored policy with an ETag", async () => {
    const { base } = await aTenant();
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await response.json()).toMatchObject({ origin: env.TEST_ORIGIN, enabled: true });
  });

  it("answers 404 for a tenant without a policy", async () => {
    const { base } = await aTenant(null);
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "policy_not_found" });
  });
});

describe("admin policy: PUT", () => {
  it("stores a valid policy with its defaults, returns the new ETag, and applies it at once", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ enabled: false }));
    const before = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(await before.json()).toMatchObject({ origin: "fixture" });

    const etag = await currentEtag(base);
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(aPolicy({ enabled: true, enforcement: "required" })),
    });
    expect(response.status).toBe(200);
    const newEtag = response.headers.get("ETag");
    expect(newEtag).not.toBe(etag);
    const stored = JSON.parse((await env.POLICY.get(kvKeys.policy(tenantId)))!);
    expect(stored).toMatchObject({ enabled: true, enforcement: "required", lockout: { maxAttempts: 5 } });
    expect(await currentEtag(base)).toBe(newEtag);

    // The same isolate enforces the new policy on the very next request.
    const after = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: "enrollment_required" });
  });

  it("requires If-Match (428) and refuses a stale ETag (412) without writing", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const body = JSON.stringify(aPolicy({ enforcement: "required" }));

    const unconditional = await send(policyUrl(base), { method: "PUT", headers: adminHeaders(), body });
    expect(unconditional.status).toBe(428);
    expect(await unconditional.json()).toMatchObject({ code: "precondition_required" });

    const stale = await send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": '"0123456789abcdef0123456789abcdef"' }), body });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: "precondition_failed", etag: await currentEtag(base) });

    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("lets only one of two writers holding the same ETag win", async () => {
    const { base } = await aTenant();
    const etag = await currentEtag(base);
    const put = (enforcement: string) =>
      send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": etag }), body: JSON.stringify(aPolicy({ enforcement: enforcement as "required" })) });
    expect((await put("required")).status).toBe(200);
    expect((await put("per_user")).status).toBe(412);
  });

  it("creates a policy with If-None-Match: * only where none exists", async () => {
    const { base } = await aTenant(null);
    const create = () => send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-None-Match": "*" }), body: JSON.stringify(aPolicy()) });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(412);
  });

  it("answers 422 listing every invalid field, and writes nothing", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const invalid = {
      ...aPolicy(),
      origin: "ftp://files.example",
      enforcement: "sometimes",
      lockout: { maxAttempts: 0 },
      operations: { withdraw: { routes: ["withdraw everything"], maxAge: -5 } },
      colour: "#fff",
    };
    const response = await send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": await currentEtag(base) }), body: JSON.stringify(invalid) });
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const body = await response.json<{ code: string; errors: Array<{ pointer: string; detail: string }> }>();
    expect(body.code).toBe("validation_failed");
    const pointers = body.errors.map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        "#/origin",
        "#/enforcement",
        "#/lockout/maxAttempts",
        "#/operations/withdraw/routes/0",
        "#/operations/withdraw/maxAge",
        "#/colour",
      ]),
    );
    expect(body.errors.every((e) => e.detail.length > 0)).toBe(true);
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it.each([
    ["malformed JSON", "{ nope", "application/json", 400, "malformed_json"],
    ["a non-JSON content type", "{}", "text/plain", 415, "unsupported_media_type"],
    ["an oversized body", JSON.stringify({ padding: "x".repeat(70_000) }), "application/json", 413, "body_too_large"],
  ])("refuses %s with a clear problem", async (_label, body, type, status, code) => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": await currentEtag(base), "Content-Type": type }),
      body,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ code });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });
});

describe("admin policy: routes that cannot compile", () => {
  it.each(["POST /a/:id{[}", "POST /a/:id?", "GET  /double-space", "post /lowercase", "POST relative/path"])(
    "refuses %s with 422 naming the route, and writes nothing",
    async (route) => {
      const { base, tenantId } = await aTenant();
      const before = await env.POLICY.get(kvKeys.policy(tenantId));
      const response = await send(policyUrl(base), {
        method: "PUT",
        headers: adminHeaders({ "If-Match": await currentEtag(base) }),
        body: JSON.stringify(aPolicy({ operations: { withdraw: { routes: ["POST /ok", route] } } })),
      });
      expect(response.status).toBe(422);
      const body = await response.json<{ errors: Array<{ pointer: string }> }>();
      expect(body.errors.map((e) => e.pointer)).toContain("#/operations/withdraw/routes/1");
      expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
    },
  );

  it("fails closed, not with a crash, when such a route is already in KV", async () => {
    const broken = aPolicy({ operations: { withdraw: { routes: ["POST /api/withdraw", "POST /a/:id{[}"] } } });
    const { base } = await aTenant(JSON.stringify(broken));
    const protectedResponse = await send(`${base}/api/withdraw`, { method: "POST" });
    expect(protectedResponse.status).toBe(503);
    expect(await protectedResponse.json()).toMatchObject({ code: "policy_invalid" });
    const plain = await send(`${base}/cookies`);
    expect(plain.status).toBe(503); // the routes cannot be read, so nothing is known to be safe
  });
});
