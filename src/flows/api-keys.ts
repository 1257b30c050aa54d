/**
 * @module
 * A tenant's admin API keys, as the admin API's `/keys` and the console's API keys page manage
 * them, under the same rules: a key can only hand out scopes its creator holds, and revoke only
 * keys whose scopes it holds, so no admin can make or remove a stronger one; revoking a key
 * revokes the keys it made (and they made), so a leaked key's offspring go with it.
 */
import * as z from "zod";
import { AdminScope, scopesBeyond } from "../config/admins-schema";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { ApiKeyView } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";

/** What a new key is: a name people recognise it by, and its scopes (each once, sorted). */
export const KeyRequest = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, "no control characters"),
  scopes: z
    .array(AdminScope)
    .min(1)
    .transform((scopes) => [...new Set(scopes)].sort()),
});
export type KeyRequest = z.infer<typeof KeyRequest>;

/** Who manages the keys: the actor recorded with each change, and the scopes they hold. */
export interface KeyAdmin {
  actor: string;
  scopes: readonly AdminScope[];
}

/** The tenant's live keys, oldest first, never their secrets. */
export function listKeys(env: Env, tenantId: string): Promise<ApiKeyView[]> {
  return reachState(() => tenantState(env, tenantId).keys());
}

/**
 * Makes a key for `admin`; its secret (`key`) is in the answer and nowhere else. A scope the admin
 * lacks is a 403 `insufficient_scope` naming them at `#/scopes`, and nothing is made.
 * @example
 * const created = await createKey(c.env, tenantId, c.var.admin, { name: "ci", scopes: ["audit:read"] }, origin);
 */
export async function createKey(
  env: Env,
  tenantId: string,
  admin: KeyAdmin,
  request: KeyRequest,
  origin: RequestOrigin,
): Promise<ApiKeyView & { key: string }> {
  const beyond = scopesBeyond(admin.scopes, request.scopes);
  if (beyond.length > 0) {
    throw new ProblemError(403, "insufficient_scope", `A key can only grant scopes it holds; this one lacks ${beyond.join(", ")}.`, {
      errors: [{ pointer: "#/scopes", detail: `not held by this key: ${beyond.join(", ")}` }],
    });
  }
  return reachState(() => tenantState(env, tenantId).createKey({ ...request, actor: admin.actor, origin }));
}

/**
 * Revokes the live key `id` and the keys it made, at once: 404 `key_not_found` when there is no
 * such key, 403 `insufficient_scope` when it holds a scope `admin` lacks (the tenant's object
 * checks and revokes in one step, so the check cannot race a change).
 * @example
 * await revokeKey(c.env, tenantId, c.var.admin, "0123456789abcdef", origin);
 */
export async function revokeKey(env: Env, tenantId: string, admin: KeyAdmin, id: string, origin: RequestOrigin): Promise<void> {
  const outcome = await reachState(() => tenantState(env, tenantId).revokeKey(id, { actor: admin.actor, scopes: [...admin.scopes] }, origin));
  if (outcome === "not_found") throw new ProblemError(404, "key_not_found", "No live key with this id.");
  if (outcome === "stronger") throw new ProblemError(403, "insufficient_scope", "A key can only revoke keys whose scopes it holds itself.");
}
