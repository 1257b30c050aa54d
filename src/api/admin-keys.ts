/**
 * @module
 * `/keys`: a tenant's admin API keys. Creating, listing and revoking needs `keys:write`; a key
 * can only hand out, and revoke, scopes it holds itself, so no key can make or remove a
 * stronger one. Revoking a key revokes the keys it made.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AdminEnv } from "../app-env";
import { readJson, validate } from "../lib/json-body";
import { problem, ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { tenantState } from "../state/tenant";
import { requireScope } from "./admin-auth";
import { CreateKeyBody } from "./admin-schemas";
import { reachState } from "../lib/reach-state";

export const adminKeys = new Hono<AdminEnv>();

adminKeys.use("/keys", requireScope("keys:write"));
adminKeys.use("/keys/*", requireScope("keys:write"));

adminKeys.get("/keys", async (c) => c.json({ keys: await reachState(() => tenantState(c.env, c.var.tenant.tenantId).keys()) }));

adminKeys.post("/keys", bodyLimit({ maxSize: 4096, onError: () => problem(413, "body_too_large", "A key request is at most 4096 bytes.") }), async (c) => {
  const { name, scopes } = validate(CreateKeyBody, await readJson(c));
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
});

adminKeys.delete("/keys/:id", async (c) => {
  const { actor, scopes } = c.var.admin;
  const outcome = await reachState(() =>
    tenantState(c.env, c.var.tenant.tenantId).revokeKey(c.req.param("id"), { actor, scopes: [...scopes] }, requestOrigin(c.req.raw)),
  );
  if (outcome === "not_found") throw new ProblemError(404, "key_not_found", "No live key with this id.");
  if (outcome === "stronger") throw new ProblemError(403, "insufficient_scope", "A key can only revoke keys whose scopes it holds itself.");
  return c.body(null, 204);
});
