import { describe, expect, it } from "vitest";
import { z } from "zod";
import { app } from "../../src/index";
import { ADMIN_BASE, USER_BASE } from "../../src/api/openapi";
import { documentedRoutes, openApiDocument } from "../../src/api/openapi-document";
import { aTenant, send } from "../support/builders";

describe("OpenAPI document", () => {
  it("is served without a key at /__stepgate/admin/v1/openapi.json as OpenAPI 3.1", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}${ADMIN_BASE}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = await response.json<{ openapi: string; paths: Record<string, Record<string, { security: unknown[]; requestBody?: any }>> }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths[`${ADMIN_BASE}/users/{id}/reset`]!.post!.security).toEqual([{ adminKey: ["users:write"] }]);
    // Request bodies come from the zod schemas that validate them.
    const keyBody = doc.paths[`${ADMIN_BASE}/keys`]!.post!.requestBody.content["application/json"].schema;
    expect(keyBody).toMatchObject({ type: "object", additionalProperties: false, required: ["name", "scopes"] });
    expect(keyBody.properties.scopes.items.enum).toEqual([
      "policy:read",
      "policy:write",
      "users:read",
      "users:write",
      "audit:read",
      "keys:write",
      "webhooks:write",
    ]);
    // A dead letter's replay needs one of two scopes, by what it is (a stream message, a webhook delivery).
    expect(doc.paths[`${ADMIN_BASE}/events/dead/{id}/replay`]!.post!.security).toEqual([{ adminKey: ["policy:write"] }, { adminKey: ["webhooks:write"] }]);
    const policyBody = doc.paths[`${ADMIN_BASE}/policy`]!.put!.requestBody.content["application/json"].schema;
    expect(policyBody.properties.enforcement.enum).toEqual(["optional", "required", "per_user"]);
  });

  it("is the document the routes' declarations generate (read from the assets npm run assets writes)", async () => {
    const { base } = await aTenant();
    const served = await (await send(`${base}${ADMIN_BASE}/openapi.json`)).json();
    expect(served).toEqual(await openApiDocument());
    // Only through the binding: the asset's own path is the portal's.
    expect(await (await send(`${base}/openapi.json`)).json()).toEqual({ origin: "fixture", method: "GET", path: "/openapi.json" });
  });

  it("describes every admin and user route the worker has, and no route it lacks", async () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !r.path.includes("*") && (r.path.startsWith(`${ADMIN_BASE}/`) || r.path.startsWith(`${USER_BASE}/`)))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect(new Set(await documentedRoutes())).toEqual(registered);
  });
});

describe("the documented answers are the real ones", () => {
  it("parses real answers with the schemas the document is made from, refusing undocumented fields", async () => {
    const admin = await import("../../src/api/admin-schemas");
    const user = await import("../../src/api/user-schemas");
    const { aPolicy, aSession, adminHeaders } = await import("../support/builders");
    const { enrollTotpViaApi, postJson } = await import("../support/step-up");
    const { usersSync } = await import("../support/admin");
    const { base, tenantId } = await aTenant(aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["amount"] } } }));
    const token = await aSession({ sub: "oas", email: "oas@example.test" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const strict = <T extends z.ZodObject>(schema: T) => schema.strict();
    const json = async (url: string, init: RequestInit = {}) => {
      const response = await send(url, init);
      expect(response.status, url).toBeLessThan(300);
      return response.json();
    };
    strict(user.ChallengeDescription).parse(await json(`${base}/__stepgate/api/challenges/${challengeId}`, { headers: { Cookie: `portal_session=${token}` } }));
    strict(user.Grant).parse(
      await (await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] })).json(),
    );
    strict(user.Me).parse(await json(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } }));
    await usersSync(tenantId, "oas");
    const h = { headers: adminHeaders() };
    const page = await json(`${base}${ADMIN_BASE}/users`, h);
    z.strictObject({ users: z.array(strict(admin.DirectoryEntry)), nextCursor: z.string().nullable() }).parse(page);
    strict(admin.UserDetailsView).parse(await json(`${base}${ADMIN_BASE}/users/oas`, h));
    z.strictObject({ entries: z.array(strict(admin.TenantAuditEntry)), nextCursor: z.string().nullable() }).parse(await json(`${base}${ADMIN_BASE}/audit`, h));
    z.strictObject({ versions: z.array(strict(admin.PolicyVersion)), nextCursor: z.string().nullable() }).parse(
      await json(`${base}${ADMIN_BASE}/policy/history`, h),
    );
    strict(admin.UnlockResult).parse(await json(`${base}${ADMIN_BASE}/users/oas/unlock`, { method: "POST", ...h }));
    strict(admin.ResetResult).parse(await json(`${base}${ADMIN_BASE}/users/oas/reset`, { method: "POST", ...h }));
    strict(admin.CreatedKey).parse(
      await json(`${base}${ADMIN_BASE}/keys`, { method: "POST", ...h, body: JSON.stringify({ name: "k", scopes: ["audit:read"] }) }),
    );
  });
});
