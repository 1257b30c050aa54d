/**
 * @module
 * What happens to a request for a protected operation: who is asking, whether they must prove
 * a factor or enrol first, and a challenge when they must (answered by `challenge-response`).
 */
import { LOGIN } from "../config/operation-schema";
import type { Context } from "hono";
import { parse } from "hono/utils/cookie";
import type { AppEnv } from "../app-env";
import { displayedNames } from "../config/operation-schema";
import { bindsRequest, enrollableFactors, freshnessSeconds, type Policy } from "../config/policy-schema";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { reachState } from "../lib/reach-state";
import { type TrustedDeviceUse, userState, type OpenedChallenge, type UserState, type UserStatus } from "../state/user";
import { challengeResponse, requesterOf, returnPathFor } from "./challenge-response";
import { DEVICE_COOKIE, devicesMaySkip, trustedDeviceId } from "./device-cookie";
import { authenticationMethods } from "../factors/authentication-methods";
import type { Assured } from "./assurance";
import { checkGrant, GRANT_HEADER, GRANT_RECHECK_MS, grantCookie, grantCookieName, issueGrant, type StepUpProof } from "./grant";
import { readIdentity, type Identity } from "./identity";
import type { MatchedOperation } from "./operation-match";
import { heldRequestOf } from "./held-request";
import { canonicalPath, isReservedPath } from "./request-path";
import { RequestBody } from "./request-body";
import { refuseAmbiguity } from "./request-ambiguity";
import { displayedFields } from "./displayed-fields";
import { approvalDigest, type ReadBody } from "./request-digest";
import { stepUpRequirement } from "./requirement";

/**
 * `stop` with the response that ends the request here, or `forward` to the origin;
 * `anonymous` when the request passes the login guard without a verified session, in which
 * case the credentials stepgate could not verify must not reach the origin either.
 */
export type StepUpResult =
  | { action: "stop"; response: Response }
  | {
      action: "forward";
      anonymous: boolean;
      /** Renewed or new grant cookies for the response. */
      setCookies: string[];
      /** What the origin's assurance says of the request: who, how they stepped up; `null` when anonymous. */
      assured: Assured | null;
    };

/**
 * What to do with a protected request: stop it for a challenge, or let it go on.
 * A request without a valid portal session is stopped too: if the identity settings were
 * wrong, every user would look anonymous, and letting anonymous requests through would turn
 * that mistake into an open door.
 * @example
 * const result = await stepUp(c, policy, matched); if (result.action === "stop") return result.response;
 */
export async function stepUp(
  c: Context<AppEnv>,
  policy: Policy,
  matched: MatchedOperation,
  request: Request = c.req.raw,
  body: RequestBody = new RequestBody(request),
): Promise<StepUpResult> {
  const identity = await readIdentity(request, policy.identity, c.env);
  // `login` guards a session once the portal has one; before that the portal's own sign-in runs.
  if (!identity && matched.name === LOGIN) return { action: "forward", anonymous: true, setCookies: [], assured: null };
  if (!identity) {
    throw new ProblemError(401, "session_required", `"${matched.name}" needs a signed-in portal session.`, {
      operation: matched.name,
    });
  }
  // Made only when needed: a request with a young grant never touches the user's object.
  let stub: DurableObjectStub<UserState> | undefined;
  const user = () => (stub ??= userState(c.env, c.get("tenant").tenantId, identity.userId));
  // A request-bound operation's grant approves exactly this request (see request-digest).
  const { display } = matched.operation;
  const names = displayedNames(display);
  const bound = bindsRequest(matched.name, matched.operation);
  const digest = bound ? await boundDigest(request, await body.parsed(), names) : null;
  const forward = (proof: StepUpProof | null, setCookies: string[] = []): StepUpResult => ({
    action: "forward",
    anonymous: false,
    setCookies,
    assured: { userId: identity.userId, sessionId: identity.sessionId, operation: matched.name, proof, digest },
  });
  const held = await heldGrant(c, request, identity, matched.name, user, { notBefore: policy.enrollmentEpoch ?? 0, digest });
  if (held) return forward(held.proof, held.renewed ? [held.renewed] : []);
  const status = await reachState<UserStatus>(() => user().status(policy.enrollmentEpoch, identity.email));
  const requirement = stepUpRequirement(policy, identity, status, matched.name);
  if (requirement === "pass") return forward(null);
  if (requirement === "step_up") {
    const trusted = digest ? null : await trustedDeviceGrant(c, request, policy, identity, matched.name, user);
    if (trusted) return forward(trusted.proof, [trusted.cookie]);
  }

  // A request another site's page sent with something to approve (a body: a form it auto-submits,
  // a credentialed fetch; fields shown; a request-bound operation, whose query is approved too) is
  // not held or approved: the user would be asked to approve what they never filled in. A plain
  // navigation from another site (a link, a single sign-on's redirect back) still goes to its
  // challenge: the user only proves it is them.
  if (request.headers.get("Sec-Fetch-Site") === "cross-site" && (body.present || display.length > 0 || bound)) {
    throw new ProblemError(
      403,
      "cross_site_request",
      "A protected operation sent from another site is not held for approval; send it from the portal's own page.",
    );
  }
  const requester = requesterOf(request);
  const parsed = body.present || display.length > 0 ? await body.parsed() : null;
  // What is shown must be what the origin reads (a bound request was checked with its digest).
  if (parsed && !bound && display.length > 0) refuseAmbiguity(request, parsed, names);
  // Before a challenge is opened: a required field the request lacks refuses it here.
  const approving = parsed ? displayedFields(parsed, display) : [];
  // stepgate's own routes (the settings forms behind the login guard) are never held.
  const holdable = body.present && !isReservedPath(canonicalPath(new URL(request.url).pathname));
  const heldRequest = parsed && holdable ? heldRequestOf(request, parsed, policy.heldRequests.maxBodyBytes) : null;
  const challenge = await reachState<OpenedChallenge>(() =>
    user().openChallenge({
      kind: requirement,
      operation: matched.name,
      sessionId: identity.sessionId,
      returnTo: returnPathFor(request, requester),
      digest,
      display: approving,
      held: heldRequest ? JSON.stringify(heldRequest) : null,
    }),
  );
  const factors = requirement === "enroll" ? enrollableFactors(policy) : [...new Set(status.factors.map((f) => f.kind))];
  const details = {
    mustEnroll: requirement === "enroll",
    operation: matched.name,
    challenge,
    factors,
    held: heldRequest !== null,
    notKept: holdable && heldRequest === null,
    approving,
    locale: identity.locale,
  };
  return { action: "stop", response: await challengeResponse(c, policy, requester, details) };
}

/**
 * The digest a grant for this request-bound operation must carry, once the request is known
 * to read the same to stepgate and to the origin (see request-ambiguity).
 */
async function boundDigest(request: Request, body: ReadBody, display: readonly string[]): Promise<string> {
  const digest = await approvalDigest(request, body, display);
  refuseAmbiguity(request, body, display);
  return digest;
}

/**
 * The valid grant the request carries for this operation (`StepGate-Grant` header or its
 * cookie), or `null`. A grant is checked by its signature alone while it is younger than
 * {@link GRANT_RECHECK_MS}; after that the user's object confirms it still stands (no reset,
 * factor change or device revocation since) and a cookie grant is renewed for another stretch.
 * A single-use grant is spent in the user's object, so it passes once. A grant older than the
 * tenant's re-enrolment epoch is void at once, without asking the user's object.
 */
async function heldGrant(
  c: Context<AppEnv>,
  request: Request,
  identity: Identity,
  operation: string,
  user: () => DurableObjectStub<UserState>,
  must: {
    /** Grants issued before this time (the re-enrolment epoch) are void: their users must enrol again. */
    notBefore: number;
    /** For a request-bound operation, the digest of this request: a grant for any other is refused. */
    digest: string | null;
  },
): Promise<{ renewed: string | null; proof: StepUpProof | null } | null> {
  const subject = { tenantId: c.get("tenant").tenantId, userId: identity.userId, sessionId: identity.sessionId, operation };
  const now = Date.now();
  const cookieName = grantCookieName(operation);
  // Parsed for this one name: Hono's parser skips a header that does not mention it.
  const cookie = parse(request.headers.get("Cookie") ?? "", cookieName)[cookieName];
  for (const [token, fromCookie] of [
    [request.headers.get(GRANT_HEADER), false],
    [cookie, true],
  ] as const) {
    if (!token) continue;
    const grant = await checkGrant(c.env, token, subject, now);
    if (!grant || grant.issuedAt < must.notBefore) continue;
    if (must.digest !== null && grant.requestDigest !== must.digest) continue;
    const { proof } = grant;
    if (grant.once) return (await reachState<boolean>(() => user().consumeGrant(grant.jti, grant.expiresAt))) ? { renewed: null, proof } : null;
    if (now - grant.issuedAt < GRANT_RECHECK_MS) return { renewed: null, proof };
    if (!(await reachState<boolean>(() => user().grantStillGood(grant.issuedAt, grant.deviceId)))) continue;
    if (!fromCookie) return { renewed: null, proof };
    // Renewed as it was earned: the same device, and the same proof from the same time.
    const renewed = await issueGrant(c.env, subject, { expiresAt: grant.expiresAt }, now, { deviceId: grant.deviceId, proof });
    return { renewed: grantCookie(operation, renewed), proof };
  }
  return null;
}

/**
 * A grant earned by a trusted device instead of a code, for the operations the policy lets
 * devices skip (by default only `login`). The device cookie must be genuine and the device
 * still listed in the user's object. The grant remembers the device, so revoking the device
 * ends it at its next check. With `login.newLocation`, a sign-in from a country or network the
 * user has not been at is not spared: a stolen cookie used from the thief's network needs a factor.
 * The grant's proof is the device itself (`trusted_device`), shown now.
 */
async function trustedDeviceGrant(
  c: Context<AppEnv>,
  request: Request,
  policy: Policy,
  identity: Identity,
  operation: string,
  user: () => DurableObjectStub<UserState>,
): Promise<{ cookie: string; proof: StepUpProof } | null> {
  if (!devicesMaySkip(policy, operation)) return null;
  const tenantId = c.get("tenant").tenantId;
  const deviceId = await trustedDeviceId(c.env, parse(request.headers.get("Cookie") ?? "", DEVICE_COOKIE)[DEVICE_COOKIE], tenantId, identity.userId);
  if (!deviceId) return null;
  const use = await reachState<TrustedDeviceUse>(() =>
    user().useTrustedDevice(deviceId, requestOrigin(request), { operation, newLocation: policy.login.newLocation }),
  );
  if (use !== "trusted") return null;
  const subject = { tenantId, userId: identity.userId, sessionId: identity.sessionId, operation };
  const now = Date.now();
  const proof = { amr: authenticationMethods({ factor: "trusted_device" }), authTime: Math.floor(now / 1000) };
  const grant = await issueGrant(c.env, subject, { maxAgeSeconds: freshnessSeconds(policy, operation) }, now, { deviceId, proof });
  return { cookie: grantCookie(operation, grant), proof };
}
