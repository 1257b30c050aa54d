/**
 * @module
 * Middleware for routes that act for the signed-in portal user: the user API and the hosted
 * pages share the portal's own session, read exactly as the gate reads it.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { SessionEnv } from "../app-env";
import { readIdentity } from "../gate/identity";
import { ProblemError } from "../lib/problem";
import { userState } from "../state/user";

/**
 * Sets `c.var.identity` and `c.var.policy`, or refuses: 503 when the tenant's policy is
 * invalid, 401 `session_required` without a valid portal session.
 * @example
 * userApi.use("*", requireSession());
 */
export function requireSession(): MiddlewareHandler<SessionEnv> {
  return async function requireSession(c, next) {
    const tenant = c.var.tenant;
    if (tenant.status !== "ok") {
      throw new ProblemError(503, "policy_invalid", `Tenant ${tenant.tenantId} ${tenant.reason}.`, { tenant: tenant.tenantId });
    }
    const identity = await readIdentity(c.req.raw, tenant.policy.identity, c.env);
    if (!identity) throw new ProblemError(401, "session_required", "Sign in to the portal first.");
    c.set("policy", tenant.policy);
    c.set("identity", identity);
    await next();
  };
}

/** The signed-in user's Durable Object (after `requireSession`). */
export function signedInUser(c: Context<SessionEnv>) {
  return userState(c.env, c.var.tenant.tenantId, c.var.identity.userId);
}
