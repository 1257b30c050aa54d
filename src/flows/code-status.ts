/**
 * @module
 * Where the signed-in user's code by text or email stands, for the page that asks for it: the
 * code sent for a challenge or an enrolment (does it still work?) and when the user's limits let
 * another be sent, under the tenant's settings for that channel.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import { reachState } from "../lib/reach-state";
import type { CodeTarget, Refusal, SentCodeStatus } from "../state/user";
import type { CodeKind } from "../state/user/sent-codes";
import { signedInUser } from "./require-session";

/**
 * @example
 * const status = await sentCodeStatus(c, { challengeId }, "sms");
 */
export function sentCodeStatus(c: Context<SessionEnv>, target: CodeTarget, kind: CodeKind): Promise<SentCodeStatus | Refusal> {
  return reachState<SentCodeStatus | Refusal>(() => signedInUser(c).sentCodeStatus({ target, ...limits(c, kind) }));
}

/**
 * The user's pending enrolment by `kind` whose code was sent and still works, or `null`.
 * @example
 * const resumed = await resumableEnrollment(c, "email");
 */
export function resumableEnrollment(c: Context<SessionEnv>, kind: CodeKind): Promise<SentCodeStatus | null> {
  return reachState<SentCodeStatus | null>(() => signedInUser(c).resumableEnrollment(limits(c, kind)));
}

function limits(c: Context<SessionEnv>, kind: CodeKind) {
  const { identity, policy } = c.var;
  return { kind, sessionId: identity.sessionId, settings: policy.factors[kind], perUserPerHour: policy.sendLimits.perUserPerHour };
}
