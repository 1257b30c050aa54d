/**
 * @module
 * Middleware that finds the request's tenant from its hostname and puts it on the context.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { tenantForHost } from "../config/policy-cache";
import { isDevelopment } from "../config/deployment";
import { ProblemError } from "../lib/problem";

/**
 * Resolves `c.var.tenant`; a hostname no tenant claims is a 421 problem.
 * @example
 * app.use("*", resolveTenant());
 */
export function resolveTenant(): MiddlewareHandler<AppEnv> {
  return async function resolveTenant(c, next) {
    const hostname = new URL(c.req.url).hostname.toLowerCase().replace(/\.$/, "");
    const tenant = await tenantForHost(c.env.POLICY, hostname, Date.now(), { development: isDevelopment(c.env) });
    if (!tenant) throw new ProblemError(421, "unknown_host", `No stepgate tenant serves ${hostname}.`);
    c.set("tenant", tenant);
    await next();
  };
}
