/**
 * @module
 * What happens to a request for a protected operation: who is asking, whether they must prove
 * a factor or enrol first, and the SPEC's answer when they must — a `303` to the hosted page
 * for a browser navigation, a `401` problem with `WWW-Authenticate: StepUp` for anything else.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../app-env";
import type { Policy } from "../config/policy-schema";
import { ProblemError, problem } from "../lib/problem";
import { sameHostPath } from "../lib/return-to";
import { userState, type OpenedChallenge, type UserState } from "../state/user";
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

  const browser = isBrowserNavigation(c.req.raw);
  const url = new URL(c.req.url);
  const challenge = await user.openChallenge({
    kind: requirement,
    operation: matched.name,
    sessionId: identity.sessionId,
    returnTo: browser ? sameHostPath(url.pathname + url.search) : null,
  });
  const factors = requirement === "enroll" ? enrollableFactors(policy) : [...new Set(status.factors.map((f) => f.kind))];
  return { action: "stop", response: challengeResponse(url, browser, requirement === "enroll", matched.name, challenge, factors) };
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

function challengeResponse(
  url: URL,
  browser: boolean,
  mustEnroll: boolean,
  operation: string,
  challenge: OpenedChallenge,
  factors: string[],
): Response {
  const path = mustEnroll
    ? `/__stepgate/enroll?challenge=${challenge.id}`
    : `/__stepgate/challenge/${challenge.id}`;
  if (browser) {
    return new Response(null, { status: 303, headers: { Location: path, "Cache-Control": "no-store" } });
  }
  return problem(
    401,
    mustEnroll ? "enrollment_required" : "step_up_required",
    mustEnroll
      ? `"${operation}" needs two-factor verification; enrol a factor first.`
      : `"${operation}" needs a fresh second-factor verification.`,
    { challengeId: challenge.id, operation, factors, challengeUrl: `${url.origin}${path}` },
    {
      "WWW-Authenticate": `StepUp challenge="${challenge.id}", operation="${operation}"`,
      "Cache-Control": "no-store",
    },
  );
}

function enrollableFactors(policy: Policy): string[] {
  const { sms, email } = policy.factors;
  return ["totp", ...(sms.enabled ? ["sms"] : []), ...(email.enabled ? ["email"] : [])];
}

/** A top-level page load a browser can follow a redirect for (not a form POST or an API call). */
export function isBrowserNavigation(request: Request): boolean {
  return (
    (request.method === "GET" || request.method === "HEAD") && (request.headers.get("Accept") ?? "").includes("text/html")
  );
}
