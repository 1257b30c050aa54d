/**
 * @module
 * `/keys`: a tenant's admin API keys. Creating, listing and revoking needs `keys:write`; a key
 * can only hand out, and revoke, scopes it holds itself, so no key can make or remove a
 * stronger one. Revoking a key revokes the keys it made.
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { ApiKeyView, CreatedKey, CreateKeyBody } from "./admin-schemas";
import { answers, jsonBody } from "./route-declarations";

export const adminKeys = new Hono<AdminEnv>();

// Creating, listing and revoking keys all need keys:write.
const keysWrite = requireScope("keys:write");

adminKeys.get(
  "/keys",
  keysWrite,
  answers("The tenant's API keys (never their secrets)", [200, "Live keys", z.object({ keys: z.array(ApiKeyView) })]),
  async (c) => c.json({ keys: await reachState(() => tenantState(c.env, c.var.tenant.tenantId).keys()) }),
);

adminKeys.post(
  "/keys",
  keysWrite,
  answers("Make an API key; its secret is shown this once", [201, "The new key", CreatedKey], { problems: [422] }),
  jsonBody(CreateKeyBody, { status: 422, maxBytes: 4096 }),
  async (c) => {
    const { name, scopes } = c.req.valid("json");
    const beyond = scopes.filter((scope) => !c.var.admin.scopes.includes(scope));
    if (beyond.length > 0) {
      throw new ProblemError(403, "insufficient_scope", `A key can only grant scopes it holds; this one lacks ${beyond.join(", ")}.`, {
        errors: [{ pointer: "#/scopes", detail: `not held by this key: ${beyond.join(", ")}` }],
      });
    }
    const created = await reachState(() =>
      tenantState(c.env, c.var.tenant.tenantId).createKey({ name, scopes, actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) }),
    );
    return c.json(created, 201, { "Cache-Control": "no-store", Location: `/__stepgate/admin/v1/keys/${created.id}` });
  },
);

adminKeys.delete("/keys/:id", keysWrite, answers("Revoke an API key at once", [204, "Revoked"], { problems: [404] }), async (c) => {
  const { actor, scopes } = c.var.admin;
  const outcome = await reachState(() =>
    tenantState(c.env, c.var.tenant.tenantId).revokeKey(c.req.param("id"), { actor, scopes: [...scopes] }, requestOrigin(c.req.raw)),
  );
  if (outcome === "not_found") throw new ProblemError(404, "key_not_found", "No live key with this id.");
  if (outcome === "stronger") throw new ProblemError(403, "insufficient_scope", "A key can only revoke keys whose scopes it holds itself.");
  return c.body(null, 204);
});
