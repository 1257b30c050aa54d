/**
 * @module
 * When an enrolled user adds a factor, the user's object asks for a fresh verification in this
 * session. This opens the challenge for it (operation `manage_factors`) so the client can
 * answer it like any other step-up and then try again.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import { freshnessSeconds } from "../config/policy-schema";
import { stepUpAuthenticate } from "../gate/step-up-header";
import { iso } from "../lib/iso-time";
import { ProblemError } from "../lib/problem";
import { MANAGE_FACTORS, userState, type OpenedChallenge } from "../state/user";
import { reachState } from "../lib/reach-state";

export { MANAGE_FACTORS };

/**
 * Opens a `manage_factors` challenge and returns it.
 * @example
 * const challenge = await openFreshVerification(c, "/__stepgate/enroll?factor=sms");
 */
export async function openFreshVerification(c: Context<SessionEnv>, returnTo: string | null): Promise<OpenedChallenge> {
  const { identity, tenant } = c.var;
  return reachState<OpenedChallenge>(() =>
    userState(c.env, tenant.tenantId, identity.userId).openChallenge({ kind: "step_up", operation: MANAGE_FACTORS, sessionId: identity.sessionId, returnTo }),
  );
}

/**
 * The SPEC's 401 step-up problem for a client that must verify before adding a factor; a hosted
 * page passes `returnTo`, itself, to come back to once verified.
 * @example
 * if (started.error === "step_up_required") throw await freshVerificationProblem(c);
 */
export async function freshVerificationProblem(c: Context<SessionEnv>, returnTo: string | null = null): Promise<ProblemError> {
  const challenge = await openFreshVerification(c, returnTo);
  const path = `/__stepgate/challenge/${challenge.id}`;
  return new ProblemError(
    401,
    "step_up_required",
    "Adding a factor needs a fresh verification; answer the challenge, then try again.",
    {
      challengeId: challenge.id,
      operation: MANAGE_FACTORS,
      challengeUrl: `${new URL(c.req.url).origin}${path}`,
      held: false,
      expiresAt: iso(challenge.expiresAt),
    },
    {
      "WWW-Authenticate": stepUpAuthenticate({
        challengeId: challenge.id,
        operation: MANAGE_FACTORS,
        maxAgeSeconds: freshnessSeconds(c.var.policy, MANAGE_FACTORS),
      }),
      "Cache-Control": "no-store",
    },
  );
}
