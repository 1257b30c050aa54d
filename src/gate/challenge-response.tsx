/**
 * @module
 * The answer to a protected request that must step up first, shaped for who sent it: a page
 * load, and a browser form that is held, are redirected (303) to the hosted page; a form that
 * cannot be held gets a 401 page that says so and leads there; anything else gets the 401
 * problem with `WWW-Authenticate: StepUp`.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { freshnessSeconds, operationAcr, type Policy } from "../config/policy-schema";
import { withOwnHeaders } from "../lib/own-response-headers";
import { iso } from "../lib/iso-time";
import { problem } from "../lib/problem";
import { sameHostPath } from "../lib/return-to";
import { requestText } from "../pages/i18n/language-choice";
import { renderPage } from "../pages/layout";
import { StepUpRequiredPage } from "../pages/step-up-required-page";
import type { OpenedChallenge } from "../state/user";
import { stepUpAuthenticate } from "./step-up-header";

export type Requester = "navigation" | "form" | "api";

/**
 * @example
 * const requester = requesterOf(c.req.raw); // "navigation" for a GET page load
 */
export function requesterOf(request: Request): Requester {
  if (!(request.headers.get("Accept") ?? "").includes("text/html")) return "api";
  return request.method === "GET" || request.method === "HEAD" ? "navigation" : "form";
}

/**
 * Where the browser should come back to after verifying: the page itself for a navigation,
 * the page that held the form (same-host `Referer`) for a form, nowhere for an API call.
 */
export function returnPathFor(request: Request, requester: Requester): string | null {
  const url = new URL(request.url);
  if (requester === "navigation") return sameHostPath(url.pathname + url.search);
  if (requester === "api") return null;
  const referer = request.headers.get("Referer");
  if (!referer || !URL.canParse(referer)) return null;
  const from = new URL(referer);
  return from.origin === url.origin ? sameHostPath(from.pathname + from.search) : null;
}

/** What the answer says about the challenge that was opened. */
export interface ChallengeDetails {
  mustEnroll: boolean;
  operation: string;
  challenge: OpenedChallenge;
  factors: string[];
  /** Whether the request is kept, to be completed after verification without sending it again. */
  held: boolean;
  /** A request with a body that could not be kept (multipart, or over `heldRequests.maxBodyBytes`). */
  notKept: boolean;
  /** The request's fields the policy shows (`display`), for the page of a form that is not kept. */
  approving: Array<{ field: string; value: string }>;
  /** The session's language claim (`identity.claims.locale`), for the page's language. */
  locale?: string;
}

/**
 * @example
 * return challengeResponse(c, policy, "api", { mustEnroll: false, operation, challenge, factors });
 */
export async function challengeResponse(c: Context<AppEnv>, policy: Policy, requester: Requester, details: ChallengeDetails): Promise<Response> {
  // Made on the portal's paths, where no middleware adds stepgate's own headers: added here.
  return withOwnHeaders(c, await answerFor(c, policy, requester, details));
}

async function answerFor(c: Context<AppEnv>, policy: Policy, requester: Requester, details: ChallengeDetails): Promise<Response> {
  const { mustEnroll, operation, challenge, factors, held, notKept } = details;
  const path = mustEnroll ? `/__stepgate/enroll?challenge=${challenge.id}` : `/__stepgate/challenge/${challenge.id}`;
  const headers = {
    "WWW-Authenticate": stepUpAuthenticate({
      challengeId: challenge.id,
      operation,
      maxAgeSeconds: freshnessSeconds(policy, operation),
      acr: operationAcr(policy, operation),
    }),
  };
  // A held form is sent for the user once they verify, so its challenge page is the next step:
  // no page in between that says so and asks for a click.
  if (requester === "navigation" || (requester === "form" && held)) return new Response(null, { status: 303, headers: { Location: path } });
  if (requester === "form") {
    return renderPage(
      c,
      <StepUpRequiredPage
        branding={policy.branding}
        text={await requestText(c, policy, details.locale)}
        operation={operation}
        mustEnroll={mustEnroll}
        verifyPath={path}
        approving={details.approving}
      />,
      401,
      headers,
    );
  }
  const origin = new URL(c.req.url).origin;
  return problem(
    401,
    mustEnroll ? "enrollment_required" : "step_up_required",
    (mustEnroll ? `"${operation}" needs two-factor verification; enrol a factor first.` : `"${operation}" needs a fresh second-factor verification.`) +
      (notKept ? " This request is not kept (a file upload, or a body over the size stepgate holds): verify first, then send it again with the grant." : ""),
    {
      challengeId: challenge.id,
      operation,
      factors,
      challengeUrl: `${origin}${path}`,
      held,
      // When the challenge ends: a client showing it (the SPA client's dialog) gives up then.
      expiresAt: iso(challenge.expiresAt),
      // After verifying: POST here to have the held request sent, or send it again with the grant.
      ...(held ? { completeUrl: `${origin}/__stepgate/api/challenges/${challenge.id}/complete` } : {}),
    },
    headers,
  );
}
