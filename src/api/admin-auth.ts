/**
 * @module
 * Bearer-key authentication for the admin API. For now the one key is the deployment's
 * bootstrap key (the `STEPGATE_ADMIN_KEY` secret); per-tenant scoped keys come later.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { secretsEqual } from "../lib/crypto";
import { ProblemError } from "../lib/problem";

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Refuses any request without the admin key, in constant time, before anything else runs.
 * @example
 * admin.use("*", requireAdminKey());
 */
export function requireAdminKey(): MiddlewareHandler<AppEnv> {
  return async function requireAdminKey(c, next) {
    const presented = BEARER.exec(c.req.header("Authorization") ?? "")?.[1];
    const expected = c.env.STEPGATE_ADMIN_KEY;
    // With no key configured nobody is admin: an empty secret must never match an empty header.
    if (!presented || !expected || !(await secretsEqual(presented, expected))) {
      throw new ProblemError(401, "unauthorized", "Send a valid admin key as `Authorization: Bearer <key>`.", {}, {
        "WWW-Authenticate": 'Bearer realm="stepgate-admin"',
      });
    }
    await next();
  };
}
