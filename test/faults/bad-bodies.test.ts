/**
 * Bad bodies on every JSON route: malformed JSON is a 400 naming the problem, nesting deeper
 * than the limit a 400 `too_deep`, an oversized body a 413, and afterwards nothing was written
 * (the user's object and the tenant's policy and keys are checked).
 */
import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { kvKeys } from "../../src/config/kv-keys";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";

const ID = "A".repeat(22);
/** User API routes that read a JSON body. */
const USER_ROUTES = [
  "/enroll/sms",
  "/enroll/email",
  "/enroll/sms/resend",
  "/enroll/email/resend",
  "/enroll/totp/confirm",
  "/enroll/sms/confirm",
  "/enroll/email/confirm",
  `/challenges/${ID}/send`,
  `/challenges/${ID}/verify`,
];
/** Admin routes that read a JSON body. */
const ADMIN_ROUTES: Array<[string, string]> = [
  ["PUT", "/policy"],
  ["PATCH", "/policy"],
  ["POST", "/keys"],
  ["PUT", "/users/bea/requirement"],
];

/** A JSON object whose one member holds `depth` arrays inside one another. */
function nested(depth: number): string {
  return `{"x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

describe("bad bodies on every JSON route", () => {
  it.each([
    ["malformed JSON", "{ not json", 400, "malformed_json"],
    ["nesting deeper than the limit", nested(200), 400, "too_deep"],
    ["an oversized body", JSON.stringify({ pad: "x".repeat(70_000) }), 413, "body_too_large"],
  ])("answers %s with a problem and writes nothing", async (_label, body, status, code) => {
    const { base, tenantId } = await aTenant(aPolicy({ factors: { sms: { enabled: true }, email: { enabled: true } } }));
    const policyBefore = await env.POLICY.get(kvKeys.policy(tenantId));
    const token = await aSession({ sub: "bea" });
    for (const route of USER_ROUTES) {
      const response = await send(`${base}/__stepgate/api${route}`, {
        method: "POST",
        headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json" },
        body,
      });
      expect(response.status, route).toBe(status);
      expect(response.headers.get("Content-Type"), route).toBe("application/problem+json");
      expect((await response.json<{ code: string }>()).code, route).toBe(code);
    }
    for (const [method, route] of ADMIN_ROUTES) {
      const response = await send(`${base}/__stepgate/admin/v1${route}`, { method, headers: adminHeaders({ "If-Match": "*" }), body });
      expect(response.status, `${method} ${route}`).toBe(status);
      expect((await response.json<{ code: string }>()).code, `${method} ${route}`).toBe(code);
    }
    // Nothing written: no factor, code or challenge for the user; policy and keys as they were.
    const rows = await runInDurableObject(userState(env, tenantId, "bea"), (_o, state) => ({
      factors: state.storage.sql.exec("SELECT count(*) AS n FROM factors").one().n,
      codes: state.storage.sql.exec("SELECT count(*) AS n FROM sent_codes").one().n,
      requirement: state.storage.sql.exec("SELECT count(*) AS n FROM settings WHERE name = 'required_by_admin'").one().n,
    }));
    expect(rows).toEqual({ factors: 0, codes: 0, requirement: 0 });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(policyBefore);
    const keys = await (await send(`${base}/__stepgate/admin/v1/keys`, { headers: adminHeaders() })).json<{ keys: unknown[] }>();
    expect(keys.keys).toEqual([]);
  });
});

describe("bodies nested thousands of levels deep", () => {
  /** `{"a":{"a":…{}…}}`, `depth` objects: 8,000 levels is 48 KB, under the policy size limit. */
  const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}`;

  it.each([
    ["PATCH", 8_000],
    ["PUT", 8_000],
    ["PATCH", 32 + 1],
  ])("refuses a %s of the policy nested %i levels deep, before walking it, and keeps the policy", async (method, depth) => {
    const { base, tenantId } = await aTenant(aPolicy());
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const response = await send(`${base}/__stepgate/admin/v1/policy`, { method, headers: adminHeaders({ "If-Match": "*" }), body: objects(depth) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "too_deep", maxDepth: 32 });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("refuses 100,000 levels (past the size limit too) and keeps the policy", async () => {
    const { base, tenantId } = await aTenant(aPolicy());
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    for (const body of [objects(100_000), nested(100_000)]) {
      const response = await send(`${base}/__stepgate/admin/v1/policy`, { method: "PATCH", headers: adminHeaders({ "If-Match": "*" }), body });
      expect(response.status).toBe(413);
    }
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("refuses a user API body nested 4,000 levels deep (the most its 8 KiB holds) and writes nothing", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ factors: { sms: { enabled: true } } }));
    const token = await aSession({ sub: "dee" });
    const response = await send(`${base}/__stepgate/api/enroll/sms`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json" },
      body: `{"phone":"+15555550100","x":${nested(4_000).slice(5, -1)}}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "too_deep" });
    const codes = await runInDurableObject(
      userState(env, tenantId, "dee"),
      (_o, state) => state.storage.sql.exec("SELECT count(*) AS n FROM sent_codes").one().n,
    );
    expect(codes).toBe(0);
  });
});
