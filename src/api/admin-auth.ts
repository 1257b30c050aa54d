/**
 * @module
 * Bearer-key authentication and scopes for the admin API. Two kinds of key: the deployment's
 * bootstrap key (the `STEPGATE_ADMIN_KEY` secret, every scope on every tenant) and tenant keys
 * (`sgk_…`, made through `POST /keys`, stored hashed in the tenant's Durable Object, valid only
 * for that tenant and only for their scopes).
 */
import type { Context, MiddlewareHandler } from "hono";
import { uniqueSymbol } from "hono-openapi";
import type { AdminEnv } from "../app-env";
import { secretsEqual } from "../lib/crypto";
import { ProblemError } from "../lib/problem";
import { parseApiKey } from "../state/tenant/keys";
import { tenantState } from "../state/tenant";
import { ALL_SCOPES, type AdminScope } from "./admin-schemas";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Sets `c.var.admin` from the request's key, or refuses with 401 before anything else runs. A
 * key of another tenant is simply unknown here (each tenant's keys live in its own object).
 * @example
 * admin.use("*", authenticateAdmin());
 */
export function authenticateAdmin(): MiddlewareHandler<AdminEnv> {
  return async function authenticateAdmin(c, next) {
    const presented = BEARER.exec(c.req.header("Authorization") ?? "")?.[1];
    const bootstrap = c.env.STEPGATE_ADMIN_KEY;
    const tenantKey = presented ? parseApiKey(presented) : null;
    if (tenantKey) {
      const scopes = await tenantState(c.env, c.var.tenant.tenantId).checkKey(tenantKey.id, tenantKey.secret);
      if (scopes) c.set("admin", { actor: `key:${tenantKey.id}`, scopes });
      // With no key configured nobody is admin: an empty secret must never match an empty header.
    } else if (presented && bootstrap && (await secretsEqual(presented, bootstrap))) {
      c.set("admin", { actor: "bootstrap", scopes: ALL_SCOPES });
    }
    if (!c.var.admin) {
      throw new ProblemError(
        401,
        "unauthorized",
        "Send a valid admin key as `Authorization: Bearer <key>`.",
        {},
        {
          "WWW-Authenticate": 'Bearer realm="stepgate-admin"',
        },
      );
    }
    await next();
  };
}

/**
 * Refuses a caller whose key lacks `scope` with 403 `insufficient_scope` (RFC 6750 §3.1). The
 * check is also the route's declared security in the OpenAPI document.
 * @example
 * adminPolicy.put("/policy", requireScope("policy:write"), handler);
 */
export function requireScope(scope: AdminScope): MiddlewareHandler<AdminEnv> {
  return requireScopeOf(() => scope, [scope]);
}

/**
 * {@link requireScope} for a route whose scope depends on the request (which thing it acts on):
 * `scopeOf` picks it, `declared` lists every scope it may pick (the route's security in OpenAPI:
 * any one of them).
 * @example
 * adminEvents.post("/events/dead/:id/replay", requireScopeOf((c) => scopeFor(c.req.param("id")), ["policy:write", "webhooks:write"]), handler);
 */
export function requireScopeOf(scopeOf: (c: Context<AdminEnv>) => AdminScope, declared: readonly AdminScope[]): MiddlewareHandler<AdminEnv> {
  const check: MiddlewareHandler<AdminEnv> = async function requireScope(c, next) {
    const scope = scopeOf(c);
    if (!c.var.admin.scopes.includes(scope)) {
      throw new ProblemError(
        403,
        "insufficient_scope",
        `This key lacks the ${scope} scope.`,
        { requiredScope: scope },
        {
          "WWW-Authenticate": `Bearer realm="stepgate-admin", error="insufficient_scope", scope="${scope}"`,
        },
      );
    }
    await next();
  };
  return Object.assign(check, { [uniqueSymbol]: { spec: { security: declared.map((scope) => ({ adminKey: [scope] })) } } });
}
