/**
 * @module
 * What happens to a request for a protected operation: who is asking, whether they must prove
 * a factor or enrol first, and a challenge when they must (answered by `challenge-response`).
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../app-env";
import type { Policy } from "../config/policy-schema";
import { ProblemError } from "../lib/problem";
import { userState, type UserState } from "../state/user";
import { challengeResponse, requesterOf, returnPathFor } from "./challenge-response";
import { checkGrant, GRANT_HEADER, grantCookieName } from "./grant";
import { readIdentity, type Identity } from "./identity";
import type { MatchedOperation } from "./operation-match";
import { stepUpRequirement } from "./requirement";

/**
 * `stop` with the response that ends the request here, or `forward` to the origin;
 * `anonymous` when the request passes the login guard without a verified session, in which
 * case the credentials stepgate could not verify must not reach the origin either.
 */
export type StepUpResult = { action: "stop"; response: Response } | { action: "forward"; anonymous: boolean };

const FORWARD: StepUpResult = { action: "forward", anonymous: false };

/**
 * What to do with a protected request: stop it for a challenge, or let it go on.
 * A request without a valid portal session is stopped too: if the identity settings were
 * wrong, every user would look anonymous, and letting anonymous requests through would turn
 * that mistake into an open door.
 * @example
 * const result = await stepUp(c, policy, matched); if (result.action === "stop") return result.response;
 */
export async function stepUp(c: Context<AppEnv>, policy: Policy, matched: MatchedOperation): Promise<StepUpResult> {
  const identity = await readIdentity(c.req.raw, policy.identity, c.env);
  // `login` guards a session once the portal has one; before that the portal's own sign-in runs.
  if (!identity && matched.name === "login") return { action: "forward", anonymous: true };
  if (!identity) {
    throw new ProblemError(401, "session_required", `"${matched.name}" needs a signed-in portal session.`, {
      operation: matched.name,
    });
  }
  const user = userState(c.env, c.var.tenant.tenantId, identity.userId);
  if (await holdsGrant(c, identity, matched.name, user)) return FORWARD;
  const status = await user.status();
  const requirement = stepUpRequirement(policy, identity, status);
  if (requirement === "pass") return FORWARD;

  const requester = requesterOf(c.req.raw);
  const challenge = await user.openChallenge({
    kind: requirement,
    operation: matched.name,
    sessionId: identity.sessionId,
    returnTo: returnPathFor(c.req.raw, requester),
  });
  const factors = requirement === "enroll" ? enrollableFactors(policy) : [...new Set(status.factors.map((f) => f.kind))];
  const details = { mustEnroll: requirement === "enroll", operation: matched.name, challenge, factors };
  return { action: "stop", response: await challengeResponse(c, policy, requester, details) };
}

/**
 * Whether the request carries a valid grant for this operation (cookie or `StepGate-Grant`
 * header). A grant for a longer `maxAge` is checked by signature alone; a single-use grant is
 * also spent in the user's Durable Object, so it passes once.
 */
async function holdsGrant(c: Context<AppEnv>, identity: Identity, operation: string, user: DurableObjectStub<UserState>): Promise<boolean> {
  const token = c.req.header(GRANT_HEADER) ?? getCookie(c, grantCookieName(operation));
  if (!token) return false;
  const subject = { tenantId: c.var.tenant.tenantId, userId: identity.userId, sessionId: identity.sessionId, operation };
  const grant = await checkGrant(c.env, token, subject, Date.now());
  if (!grant) return false;
  return !grant.once || (await user.consumeGrant(grant.jti, grant.expiresAt));
}

function enrollableFactors(policy: Policy): string[] {
  const { sms, email } = policy.factors;
  return ["totp", ...(sms.enabled ? ["sms"] : []), ...(email.enabled ? ["email"] : [])];
}
