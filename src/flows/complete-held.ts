/**
 * @module
 * Completing a held request: after the user verified, the request that triggered the
 * challenge is sent on without being typed again — once. It goes through the whole gate again
 * with the grant the verification earned, so every other check (the login guard, a second
 * operation) still applies, and the single-use grant makes a racing retry and a second
 * complete lose.
 */
import type { Context } from "hono";
import type { AppEnv, SessionEnv } from "../app-env";
import { freshnessSeconds } from "../config/policy-schema";
import { gateRequest } from "../gate/gate";
import { issueGrant } from "../gate/grant";
import { replayOf, type HeldRequest } from "../gate/held-request";
import { passOn } from "../lib/own-response-headers";
import { ProblemError } from "../lib/problem";
import { userState, type HeldRequestTaken } from "../state/user";
import { reachState } from "../lib/reach-state";
import { proofOf } from "./grant-cookie";

/**
 * Sends the request held with challenge `challengeId` and answers with what the gate (and
 * so the origin) answered. Refusals: 404 `challenge_not_found` (unknown, expired, nothing
 * held, another session), 409 `not_verified`, 409 `already_completed`.
 * @example
 * return completeHeldRequest(c, challengeId);
 */
export async function completeHeldRequest(c: Context<SessionEnv>, challengeId: string): Promise<Response> {
  const { identity, policy, tenant } = c.var;
  const taken = await reachState<HeldRequestTaken>(() => userState(c.env, tenant.tenantId, identity.userId).takeHeldRequest(challengeId, identity.sessionId));
  if (!taken.ok) throw heldRefusal(taken.error);
  const subject = { tenantId: tenant.tenantId, userId: identity.userId, sessionId: identity.sessionId, operation: taken.operation };
  // The grant the verification earned — same id, same lifetime, from the same moment — so
  // spending it here spends the one the client holds, and it ends when that one does.
  const grant = await issueGrant(c.env, subject, { maxAgeSeconds: freshnessSeconds(policy, taken.operation) }, taken.verifiedAt, {
    jti: taken.grantId,
    requestDigest: taken.digest,
    proof: proofOf(taken.amr, taken.verifiedAt),
  });
  const held = JSON.parse(taken.request) as HeldRequest;
  // The answer is the origin's (its redirect, its page): it keeps its own headers.
  passOn(c);
  return gateRequest(c as unknown as Context<AppEnv>, replayOf(held, c.req.raw, grant.token, policy.identity.header));
}

function heldRefusal(error: Extract<HeldRequestTaken, { ok: false }>["error"]): ProblemError {
  if (error === "not_verified") return new ProblemError(409, "not_verified", "Answer the challenge first; then the held request can be completed.");
  if (error === "already_completed") return new ProblemError(409, "already_completed", "This request was already sent; it is never sent twice.");
  return new ProblemError(404, "challenge_not_found", "No held request for this challenge (unknown, expired, or nothing was held).");
}
