/**
 * @module
 * Issuing the grant that a successful verification earns, as a cookie for browsers and a
 * token for API clients.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import { freshnessSeconds } from "../config/policy-schema";
import { grantCookie, issueGrant, type GrantBinding, type IssuedGrant, type StepUpProof } from "../gate/grant";

/**
 * Signs a grant for `operation` (fresh for the operation's `maxAge`) and sets its cookie;
 * bound to the device the same verification trusted, or to the one request it approves.
 * @example
 * const grant = await grantOperation(c, "withdraw");
 */
export async function grantOperation(c: Context<SessionEnv>, operation: string, binding: GrantBinding = {}, verifiedAt = Date.now()): Promise<IssuedGrant> {
  const { identity, policy, tenant } = c.var;
  // An operation removed from the policy since the challenge opened gets the strictest grant.
  const maxAge = freshnessSeconds(policy, operation);
  const subject = { tenantId: tenant.tenantId, userId: identity.userId, sessionId: identity.sessionId, operation };
  // A grant earned while trusting a device names it, so revoking the device ends this grant too.
  // Dated from the verification, not from now: a reset between the two still ends this grant.
  const grant = await issueGrant(c.env, subject, { maxAgeSeconds: maxAge }, verifiedAt, binding);
  c.header("Set-Cookie", grantCookie(operation, grant), { append: true });
  return grant;
}

/**
 * What a verification at `verifiedAt` (epoch ms) proved, as a grant carries it; `null` when the
 * user's object kept no methods (a challenge answered before it kept them).
 * @example
 * proofOf(outcome.amr, outcome.verifiedAt) // { amr: ["otp", "mfa"], authTime: 1767225600 }
 */
export function proofOf(amr: string[], verifiedAt: number): StepUpProof | null {
  return amr.length > 0 ? { amr, authTime: Math.floor(verifiedAt / 1000) } : null;
}
