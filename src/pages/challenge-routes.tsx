/**
 * @module
 * `/__stepgate/challenge/…`: the page that asks for a passkey (first, when the user has one) or
 * a code, sends one by text or email, checks the answer, and then sends the request held with
 * the challenge. A code sent is followed by a
 * redirect to the page (a GET), which asks for the code sent whenever it is opened again. The guards every hosted page
 * runs (CSRF, session, body size) are mounted in `hosted-pages.tsx`.
 */
import { Hono, type Context } from "hono";
import type { SessionEnv } from "../app-env";
import { answerChallenge } from "../flows/challenge-answers";
import { sentCodeStatus } from "../flows/code-status";
import { completeHeldRequest } from "../flows/complete-held";
import { passkeyRequestOptions, passkeysOffered } from "../flows/passkeys";
import { signedInUser } from "../flows/require-session";
import { sendCode } from "../flows/send-code";
import { refusalProblem } from "../flows/user-outcomes";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import { devicesMaySkip } from "../gate/device-cookie";
import { ProblemError } from "../lib/problem";
import { sameHostPath } from "../lib/return-to";
import type { CodeKind } from "../state/user/sent-codes";
import type { ChallengeView } from "../state/user";
import { ChallengePage, type PageFactor } from "./challenge-page";
import { EmbedFinishedPage } from "./embed-finished-page";
import { embeddingOf, finishedPath, forgetEmbedding } from "./embedding";
import { type ShownCode, shownCode } from "./code-wait";
import { pageLanguage, requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";
import { checkedForm, sessionCsrf, submittedCredential } from "./page-forms";
import { problemDetail, shownBesideForm } from "./problem-text";

/** In the order the page offers them: a passkey first, as the one a fake page cannot relay. */
const ANSWER_FACTORS: PageFactor[] = ["webauthn", "totp", "sms", "email", "backup_code"];

export const challengePages = new Hono<SessionEnv>();

/**
 * Sends the form held with a verified challenge, once, and shows what the portal answered
 * (usually its redirect). Loading it again shows that it was already sent.
 */
challengePages.get("/challenge/:id/complete", async (c) => {
  const id = c.req.param("id");
  if (!ID_PATTERN.test(id)) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  // It sends a POST on the user's behalf: only from stepgate's own redirect (same-origin) or
  // typed in (none), never from a link on another site.
  const site = c.req.header("Sec-Fetch-Site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new ProblemError(403, "cross_site", "A held request is completed from this site only.");
  }
  return completeHeldRequest(c, id);
});

/**
 * Where a challenge the SPA client shows ends (`embedding.ts`): back to the portal's page after a
 * redirect, else the page that tells the client's dialog or popup. The client then has stepgate
 * send the held request (or sends it again), which checks the verification itself.
 */
challengePages.get("/challenge/:id/finished", async (c) => {
  const embedded = embeddingOf(c);
  if (embedded) forgetEmbedding(c, embedded.challengeId);
  if (embedded?.mode === "redirect") return c.redirect(embedded.returnTo ?? "/", 303);
  return renderPage(c, <EmbedFinishedPage branding={c.var.policy.branding} text={await requestText(c, c.var.policy)} />);
});

challengePages.get("/challenge/:id", async (c) => {
  const view = await openChallenge(c, c.req.param("id"));
  if (view.kind === "enroll" && view.factors.length === 0) return c.redirect(`/__stepgate/enroll?challenge=${view.id}`, 303);
  return renderChallenge(c, view, chosenFactor(c, view, c.req.query("factor")), null, 200);
});

challengePages.post("/challenge/:id/send", async (c) => {
  const form = await checkedForm(c);
  const view = await openChallenge(c, c.req.param("id"));
  const kind: CodeKind = form.factor === "email" ? "email" : "sms";
  try {
    await sendCode(c, { challengeId: view.id }, kind, { operation: view.operation, approving: view.approving }, pageLanguage(c));
    // The page asks for the code from here on: reloading it, or coming back to it, sends nothing.
    return c.redirect(`/__stepgate/challenge/${view.id}?factor=${kind}`, 303);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status !== 429) throw error;
    return renderChallenge(c, view, kind, problemDetail(await requestText(c, c.var.policy), error), 429);
  }
});

challengePages.post("/challenge/:id", async (c) => {
  const form = await checkedForm(c);
  const view = await openChallenge(c, c.req.param("id"));
  const factor = chosenFactor(c, view, form.factor);
  const answer = factor === "webauthn" ? { factor, response: submittedCredential(form) } : { factor, code: String(form.code ?? "") };
  try {
    const answered = await answerChallenge(c, view.id, answer, form.trustDevice === "1");
    // A held form is sent by the next page load (a GET, so a refresh or a double click cannot send it twice);
    // a challenge the SPA client shows ends where the client takes over.
    return c.redirect(nextAfterVerifying(c, view.id, answered), 303);
  } catch (error) {
    if (!shownBesideForm(error)) throw error;
    const message = problemDetail(await requestText(c, c.var.policy), error);
    // This answer may have started the lockout: the page shows the state as it is now. A lock
    // until an admin unlocks is a 423 with no Retry-After (see `refusalProblem`).
    const current = await openChallenge(c, view.id);
    if (current.lockedUntilUnlock) return renderChallenge(c, current, factor, message, 423);
    const locked = current.lockedUntil !== null;
    const page = await renderChallenge(c, current, factor, message, locked || error.status === 429 ? 429 : 400);
    const retryAfter = locked ? String(Math.ceil((current.lockedUntil! - Date.now()) / 1000)) : error.getResponse().headers.get("Retry-After");
    if (retryAfter) page.headers.set("Retry-After", retryAfter);
    return page;
  }
});

/**
 * Where the browser goes once the challenge is answered: the end the SPA client takes over from,
 * the page that sends the held request, or back where the user was.
 * @example
 * c.redirect(nextAfterVerifying(c, id, { held: true, returnTo: null }), 303)
 */
export function nextAfterVerifying(c: Context, challengeId: string, answered: { held: boolean; returnTo: string | null }): string {
  if (embeddingOf(c, challengeId)) return finishedPath(challengeId);
  return answered.held ? completePath(challengeId) : sameHostPath(answered.returnTo);
}

/** The page that sends the request held with a verified challenge (a GET: see the route). */
export function completePath(challengeId: string): string {
  return `/__stepgate/challenge/${challengeId}/complete`;
}

async function openChallenge(c: Context<SessionEnv>, id: string): Promise<ChallengeView> {
  const view = ID_PATTERN.test(id) ? await reachState<ChallengeView | null>(() => signedInUser(c).describeChallenge(id, c.var.identity.sessionId)) : null;
  if (!view) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  return view;
}

/** The factors the user can answer this challenge with here: a passkey where passkeys can be used on this host. */
function answerableFactors(c: Context<SessionEnv>, view: ChallengeView): PageFactor[] {
  return ANSWER_FACTORS.filter((f) => view.factors.includes(f) && (f !== "webauthn" || (view.kind === "step_up" && passkeysOffered(c))));
}

/** The factor asked for, if the user has it; else the first they have. */
function chosenFactor(c: Context<SessionEnv>, view: ChallengeView, asked: unknown): PageFactor {
  const available = answerableFactors(c, view);
  return available.find((f) => f === asked) ?? available[0] ?? "totp";
}

async function renderChallenge(
  c: Context<SessionEnv>,
  view: ChallengeView,
  factor: PageFactor,
  error: string | null,
  status: 200 | 400 | 423 | 429,
): Promise<Response> {
  const { policy } = c.var;
  const open = view.lockedUntil === null && !view.lockedUntilUnlock;
  const code = (factor === "sms" || factor === "email") && open ? await challengeCode(c, view, factor) : null;
  const passkey = factor === "webauthn" && open ? await passkeyRequestOptions(c, view.id) : null;
  return renderPage(
    c,
    <ChallengePage
      branding={policy.branding}
      text={await requestText(c, policy)}
      challengeId={view.id}
      operation={view.operation}
      factor={factor}
      factors={answerableFactors(c, view)}
      passkey={passkey}
      code={code}
      digits={policy.factors.totp.digits}
      codeLength={factor === "email" ? policy.factors.email.codeLength : policy.factors.sms.codeLength}
      csrf={await sessionCsrf(c)}
      error={error}
      offerTrust={offersTrust(c, view.operation)}
      approving={view.approving}
      held={view.held}
      lockedUntil={view.lockedUntil}
      lockedUntilUnlock={view.lockedUntilUnlock}
    />,
    status,
  );
}

/** The challenge's code by text or email: the one sent, if it still works, and the wait before another. */
async function challengeCode(c: Context<SessionEnv>, view: ChallengeView, kind: CodeKind): Promise<ShownCode> {
  const status = await sentCodeStatus(c, { challengeId: view.id }, kind);
  // Answered or expired meanwhile (another tab): offer to send, and the send says why it cannot.
  return status.ok ? shownCode(status, Date.now()) : { destination: view.destinations[kind] ?? "", sent: false, resendInSeconds: 0 };
}

/** "Trust this device" is offered where the policy lets devices skip this operation. */
export function offersTrust(c: Context<SessionEnv>, operation: string): boolean {
  return devicesMaySkip(c.var.policy, operation);
}
