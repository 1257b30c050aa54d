import { describe, expect, it } from "vitest";
import app from "../../src/index";
import { ADMIN_BASE, documentedRoutes, USER_BASE } from "../../src/api/openapi";
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
    expect(keyBody.properties.scopes.items.enum).toEqual(["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write"]);
    const policyBody = doc.paths[`${ADMIN_BASE}/policy`]!.put!.requestBody.content["application/json"].schema;
    expect(policyBody.properties.enforcement.enum).toEqual(["optional", "required", "per_user"]);
  });

  it("describes every admin and user route the worker has, and no route it lacks", () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !r.path.includes("*") && (r.path.startsWith(`${ADMIN_BASE}/`) || r.path.startsWith(`${USER_BASE}/`)))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect(new Set(documentedRoutes())).toEqual(registered);
  });
});
