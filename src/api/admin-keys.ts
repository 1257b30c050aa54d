/**
 * @module
 * `/keys`: a tenant's admin API keys. Creating, listing and revoking needs `keys:write`; the
 * rules (a key hands out and revokes only scopes it holds; revoking a key revokes the keys it
 * made) are `flows/api-keys.ts`, which the console's API keys page follows too.
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { createKey, listKeys, revokeKey } from "../flows/api-keys";
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
  async (c) => c.json({ keys: await listKeys(c.env, c.var.tenant.tenantId) }),
);

adminKeys.post(
  "/keys",
  keysWrite,
  answers("Make an API key; its secret is shown this once", [201, "The new key", CreatedKey], { problems: [422] }),
  jsonBody(CreateKeyBody, { status: 422, maxBytes: 4096 }),
  async (c) => {
    const created = await createKey(c.env, c.var.tenant.tenantId, c.var.admin, c.req.valid("json"), requestOrigin(c.req.raw));
    return c.json(created, 201, { "Cache-Control": "no-store", Location: `/__stepgate/admin/v1/keys/${created.id}` });
  },
);

adminKeys.delete("/keys/:id", keysWrite, answers("Revoke an API key at once", [204, "Revoked"], { problems: [404] }), async (c) => {
  await revokeKey(c.env, c.var.tenant.tenantId, c.var.admin, c.req.param("id"), requestOrigin(c.req.raw));
  return c.body(null, 204);
});
