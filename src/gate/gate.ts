/**
 * @module
 * The request path for everything outside `/__stepgate/`: match the request to a protected
 * operation, stop it when the user must step up, otherwise proxy it to the tenant's origin with
 * the assurance of what was checked (`assurance.ts`).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { lookalikeKey } from "../lib/lookalike-name";
import { ProblemError } from "../lib/problem";
import { operationAcr } from "../config/policy-schema";
import { type AssuranceClaims, type Assured, assuranceClaims, signedAssurance } from "./assurance";
import { GRANT_HEADER } from "./grant";
import { protectedOperations } from "./operation-match";
import { proxyToOrigin, type ProxyOptions } from "./proxy";
import { canonicalPath, isReservedPath } from "./request-path";
import { RequestBody } from "./request-body";
import { pairCarriesSession, sessionHeaderNames } from "./session-carriers";
import { stepUp } from "./step-up";
import { STEPGATE_COOKIE_PREFIX } from "./stepgate-cookies";

/** Origin timeout used while a tenant's policy is invalid (its own setting cannot be trusted). */
const FALLBACK_ORIGIN_TIMEOUT_MS = 30_000;

/**
 * The final handler of the worker.
 * @example
 * app.all("*", resolveTenant(), forwardOrStop);
 */
export async function forwardOrStop(c: Context<AppEnv>): Promise<Response> {
  return gateRequest(c, c.req.raw);
}

/**
 * The gate for `request`: the request this worker received, or a held request sent on after
 * verification (which must pass every check again, with the grant it earned).
 * @example
 * return gateRequest(c, replayOf(held, c.req.raw, grant.token));
 */
export async function gateRequest(c: Context<AppEnv>, request: Request): Promise<Response> {
  const url = new URL(request.url);
  // Any spelling of the reserved prefix (`/__StepGate//x`, `%5F_stepgate`) stays with stepgate.
  if (isReservedPath(canonicalPath(url.pathname))) {
    throw new ProblemError(404, "not_found", `There is no stepgate route at ${url.pathname}.`);
  }
  // `c.get`, not `c.var`: Hono builds `c.var` afresh (a copy of every variable) on each read.
  const tenant = c.get("tenant");
  if (tenant.status === "invalid") {
    const protectedRequest = !tenant.protectedRoutes || protectedOperations(tenant.protectedRoutes, request.method, url, request.headers).length > 0;
    if (protectedRequest || !tenant.origin) {
      throw new ProblemError(503, "policy_invalid", `Tenant ${tenant.tenantId} ${tenant.reason}; protected operations are refused until it is fixed.`, {
        tenant: tenant.tenantId,
      });
    }
    // The policy's own `assurance.enabled` cannot be read: the default holds, and the origin learns
    // that the request came through stepgate and was checked for nothing.
    const assurance = await assuranceOrNone(c.env, tenant.tenantId, assuranceClaims(url, tenant.origin, null, undefined));
    return proxyToOrigin(request, tenant.origin, { timeoutMs: FALLBACK_ORIGIN_TIMEOUT_MS, assurance, ...withoutStepgateCredentials(request, null) }, url);
  }

  const { policy, matcher, origin } = tenant;
  let anonymous = false;
  let assured: Assured | null = null;
  const grantCookies: string[] = [];
  const body = new RequestBody(request);
  // The login guard first, then the specific operation: each must be passed, and the assurance
  // tells of the last (the specific operation, when there is one).
  for (const matched of policy.enabled ? protectedOperations(matcher, request.method, url, request.headers) : []) {
    const result = await stepUp(c, policy, matched, request, body);
    if (result.action === "stop") return result.response;
    anonymous ||= result.anonymous;
    assured = result.assured;
    grantCookies.push(...result.setCookies);
  }
  const acr = assured ? operationAcr(policy, assured.operation) : undefined;
  const assurance = policy.assurance.enabled ? await assuranceOrNone(c.env, tenant.tenantId, assuranceClaims(url, origin, assured, acr)) : null;
  const identity = policy.identity;
  const response = await proxyToOrigin(
    request,
    origin,
    {
      timeoutMs: policy.originTimeoutMs,
      assurance,
      // A session stepgate could not verify is not passed on, under any name a server could read
      // as the session's: the origin might read it as signed in, past the login guard.
      ...withoutStepgateCredentials(request, anonymous ? (identity.cookie ?? null) : null),
      ...(anonymous && identity.header ? { dropHeaders: [GRANT_HEADER, ...sessionHeaderNames(request.headers, identity.header)] } : {}),
    },
    url,
  );
  return grantCookies.length > 0 ? withCookies(response, grantCookies) : response;
}

/**
 * The signed assurance for `claims`, or none when it cannot be signed (`STEPGATE_SECRET_KEYS`
 * misconfigured): the request still goes on, as plain traffic does without the keys, and an
 * origin that checks the assurance refuses it as it would one that went around stepgate.
 */
async function assuranceOrNone(env: Env, tenantId: string, claims: AssuranceClaims): Promise<string | null> {
  try {
    return await signedAssurance(env, tenantId, claims, Date.now());
  } catch (error) {
    console.error("stepgate: the assurance could not be signed; the request goes on without one", error);
    return null;
  }
}

/** The origin's response with stepgate's renewed grant cookies added to its own. */
function withCookies(response: Response, cookies: string[]): Response {
  if (response.webSocket) return response;
  const copy = new Response(response.body, response);
  for (const cookie of cookies) copy.headers.append("Set-Cookie", cookie);
  return copy;
}

/**
 * Proxy options that keep stepgate's own cookies (`__Host-stepgate-*`: grants, device, console,
 * language, an embedded challenge) and its grant header from the origin, and the session cookie
 * `sessionCookie` names (with every look-alike of it).
 */
function withoutStepgateCredentials(request: Request, sessionCookie: string | null): Pick<ProxyOptions, "cookie" | "dropHeaders"> {
  const cookie = request.headers.get("Cookie");
  const dropHeaders = [GRANT_HEADER];
  // Most requests carry none of these: their Cookie header goes on untouched, unsplit. A
  // session's look-alikes need not contain its name, so dropping one always splits.
  const mayDrop = cookie && (sessionCookie !== null || cookie.includes(STEPGATE_COOKIE_PREFIX));
  if (!mayDrop) return { dropHeaders };
  const sessionKey = sessionCookie === null ? null : lookalikeKey(sessionCookie);
  let dropped = false;
  const kept = cookie
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => {
      const equals = pair.indexOf("=");
      const name = (equals === -1 ? pair : pair.slice(0, equals)).trim();
      // stepgate's own cookies (a grant; the device cookie, which stands in for a second factor
      // for weeks; a console session, which stands in for an admin key) never reach the origin.
      const drop = pair === "" || name.startsWith(STEPGATE_COOKIE_PREFIX) || (sessionKey !== null && pairCarriesSession(pair, sessionKey));
      dropped ||= drop;
      return !drop;
    });
  if (!dropped) return { dropHeaders };
  return { dropHeaders, cookie: kept.length > 0 ? kept.join("; ") : null };
}
