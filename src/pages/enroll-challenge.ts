/**
 * @module
 * The challenge an enrolment answers, for the enrolment pages: its id as the query or a form
 * names it, and the open challenge itself (to show what it approves), asked for once per request.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import { signedInUser } from "../flows/require-session";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import type { ChallengeView } from "../state/user";

/** Per request: one page both sends a code naming the approval and shows it; ask the user's object once. */
const answeredByRequest = new WeakMap<Request, Promise<ChallengeView | null>>();

/**
 * The open challenge an enrolment answers (to show what it approves), or `null`.
 * @example
 * const approving = (await challengeBeingAnswered(c, challengeId))?.approving ?? [];
 */
export function challengeBeingAnswered(c: Context<SessionEnv>, challengeId: string | null): Promise<ChallengeView | null> {
  if (!challengeId) return Promise.resolve(null);
  let view = answeredByRequest.get(c.req.raw);
  if (!view) {
    view = reachState<ChallengeView | null>(() => signedInUser(c).describeChallenge(challengeId, c.var.identity.sessionId));
    answeredByRequest.set(c.req.raw, view);
  }
  return view;
}

/**
 * A challenge or factor id from the query or a form, when it is one.
 * @example
 * const challengeId = optionalId(c.req.query("challenge"));
 */
export function optionalId(value: unknown): string | null {
  return typeof value === "string" && ID_PATTERN.test(value) ? value : null;
}
