/**
 * @module
 * Middleware for stepgate's own self-service routes: they show and change what protects the
 * account (devices, factors, backup codes, activity), so they need the same login step-up as
 * the portal behind them. Without it a stolen portal session that never passed the login
 * challenge could list and revoke devices.
 */
import { LOGIN } from "../config/operation-schema";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, SessionEnv } from "../app-env";
import { stepUp } from "../gate/step-up";

/**
 * Passes only a session that holds a login grant (or needs none under the policy); otherwise
 * answers as the gate would: a browser is sent to the challenge and back, an API call gets the
 * 401 problem. Runs after `requireSession`.
 * @example
 * userApi.use("/devices/*", requireLoginGrant());
 */
export function requireLoginGrant(): MiddlewareHandler<SessionEnv> {
  return async function requireLoginGrant(c, next) {
    const { policy } = c.var;
    const login = policy.operations[LOGIN];
    if (policy.enabled && login?.enabled) {
      const result = await stepUp(c as unknown as Context<AppEnv>, policy, { name: LOGIN, operation: login });
      if (result.action === "stop") return result.response;
      for (const cookie of result.setCookies) c.header("Set-Cookie", cookie, { append: true });
    }
    await next();
  };
}
