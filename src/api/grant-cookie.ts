/**
 * @module
 * Issuing the grant that a successful verification earns, as a cookie for browsers and a
 * token for API clients.
 */
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { SessionEnv } from "../app-env";
import { grantCookieName, issueGrant, type IssuedGrant } from "../gate/grant";

/**
 * Signs a grant for `operation` (fresh for the operation's `maxAge`) and sets its cookie.
 * @example
 * const grant = await grantOperation(c, "withdraw");
 */
export async function grantOperation(c: Context<SessionEnv>, operation: string): Promise<IssuedGrant> {
  const { identity, policy, tenant } = c.var;
  // An operation removed from the policy since the challenge opened gets the strictest grant.
  const maxAge = policy.operations[operation]?.maxAge ?? 0;
  const subject = { tenantId: tenant.tenantId, userId: identity.userId, sessionId: identity.sessionId, operation };
  const grant = await issueGrant(c.env, subject, maxAge, Date.now());
  setCookie(c, grantCookieName(operation), grant.token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    expires: new Date(grant.expiresAt),
  });
  return grant;
}
