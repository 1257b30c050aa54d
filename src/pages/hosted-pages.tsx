/**
 * @module
 * The hosted pages under `/__stepgate/`: server-rendered forms that work without JavaScript.
 * Every POST is checked twice against cross-site forgery: Hono's `csrf()` refuses a foreign
 * `Origin`, and the form must carry the session's CSRF token.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import type { SessionEnv } from "../app-env";
import { answerChallenge, confirmEnrollment } from "../flows/challenge-answers";
import { completeHeldRequest } from "../flows/complete-held";
import { openFreshVerification } from "../flows/fresh-verification";
import { requireSession, signedInUser } from "../flows/require-session";
import { sendCode } from "../flows/send-code";
import { EnrollEmailBody, EnrollPhoneBody } from "../flows/enrollment-addresses";
import { refusalProblem } from "../flows/user-outcomes";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import { describeApproval } from "../factors/messages";
import { totpQrSvg, totpUri } from "../factors/totp";
import { devicesMaySkip } from "../gate/device-cookie";
import { LOGIN } from "../gate/operation-match";
import { problem, ProblemError } from "../lib/problem";
import { sameHostPath } from "../lib/return-to";
import type { CodeKind } from "../state/user/sent-codes";
import type { AnswerFactor, ChallengeView, CodeEnrollmentStart, EnrollmentStart, Refusal } from "../state/user";
import { BackupCodesPage } from "./backup-codes-page";
import { ChallengePage } from "./challenge-page";
import { EnrollAddressPage } from "./enroll-address-page";
import { EnrollChoicePage } from "./enroll-choice-page";
import { EnrollPage } from "./enroll-page";
import { enrollableFactors } from "../config/policy-schema";
import { FactorAddedPage } from "./factor-added-page";
import { renderPage } from "./layout";
import { checkedForm, noStore, sessionCsrf } from "./page-forms";

/** A hosted-page form is a few short fields. */
const MAX_FORM_BYTES = 4 * 1024;
const ANSWER_FACTORS: AnswerFactor[] = ["totp", "sms", "email", "backup_code"];

export const hostedPages = new Hono<SessionEnv>();

/** Only the pages' own paths: other `/__stepgate/*` requests must keep their own 404s and auth. */
for (const path of ["/challenge/*", "/enroll", "/enroll/*"]) {
  hostedPages.use(path, csrf(), requireSession(), noStore);
  hostedPages.post(path, bodyLimit({ maxSize: MAX_FORM_BYTES, onError: () => problem(413, "body_too_large", `A form is at most ${MAX_FORM_BYTES} bytes.`) }));
}

/**
 * Sends the form held with a verified challenge, once, and shows what the portal answered
 * (usually its redirect). Loading it again shows that it was already sent.
 */
hostedPages.get("/challenge/:id/complete", async (c) => {
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

hostedPages.get("/challenge/:id", async (c) => {
  const view = await openChallenge(c, c.req.param("id"));
  if (view.kind === "enroll" && view.factors.length === 0) return c.redirect(`/__stepgate/enroll?challenge=${view.id}`, 303);
  return renderChallenge(c, view, chosenFactor(view, c.req.query("factor")), null, null, 200);
});

hostedPages.post("/challenge/:id/send", async (c) => {
  const form = await checkedForm(c);
  const view = await openChallenge(c, c.req.param("id"));
  const kind: CodeKind = form.factor === "email" ? "email" : "sms";
  try {
    const receipt = await sendCode(c, { challengeId: view.id }, kind, describeApproval(view.operation, view.approving));
    const sent = { destination: receipt.destination, resendInSeconds: Math.ceil((receipt.resendAfter - Date.now()) / 1000) };
    return renderChallenge(c, view, kind, sent, null, 200);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.status !== 429) throw error;
    return renderChallenge(c, view, kind, null, error.message, 429);
  }
});

hostedPages.post("/challenge/:id", async (c) => {
  const form = await checkedForm(c);
  const view = await openChallenge(c, c.req.param("id"));
  const factor = chosenFactor(view, form.factor);
  try {
    const answered = await answerChallenge(c, view.id, factor, String(form.code ?? ""), form.trustDevice === "1");
    // A held form is sent by the next page load (a GET, so a refresh or a double click cannot send it twice).
    return c.redirect(answered.held ? completePath(view.id) : sameHostPath(answered.returnTo), 303);
  } catch (error) {
    if (!shownBesideForm(error)) throw error;
    const sentCode = factor === "sms" || factor === "email";
    const shown = sentCode ? { destination: view.destinations[factor] ?? "", resendInSeconds: 0 } : null;
    const page = await renderChallenge(c, view, factor, shown, wrongCodeMessage(error), error.status === 429 ? 429 : 400);
    const retryAfter = error.getResponse().headers.get("Retry-After");
    if (retryAfter) page.headers.set("Retry-After", retryAfter);
    return page;
  }
});

hostedPages.get("/enroll", async (c) => {
  const challengeId = optionalChallengeId(c.req.query("challenge"));
  const offered = enrollableFactors(c.var.policy);
  const factor = offered.find((f) => f === c.req.query("factor")) ?? (offered.length === 1 ? "totp" : null);
  if (!factor) return renderPage(c, <EnrollChoicePage branding={c.var.policy.branding} offered={offered} challengeId={challengeId} />);
  if (factor !== "totp") return renderAddress(c, factor, challengeId, null, null, "", 200);
  const started = await reachState<EnrollmentStart>(() =>
    signedInUser(c).beginTotpEnrollment({ sessionId: c.var.identity.sessionId, settings: c.var.policy.factors.totp, resume: true }),
  );
  if (!started.ok) return refusedEnrollment(c, started, challengeId, "totp");
  return renderEnrollment(c, started, challengeId, null, 200);
});

for (const kind of ["sms", "email"] as const) {
  hostedPages.post(`/enroll/${kind}`, async (c) => {
    const form = await checkedForm(c);
    const challengeId = optionalChallengeId(form.challenge);
    const typed = String(form.address ?? "");
    const parsed = kind === "sms" ? EnrollPhoneBody.safeParse({ phone: typed }) : EnrollEmailBody.safeParse({ email: typed });
    if (!parsed.success) {
      return renderAddress(
        c,
        kind,
        challengeId,
        null,
        kind === "sms" ? "Enter a mobile number with its country code, like +1 415 555 2671." : "Enter a valid email address.",
        typed,
        400,
      );
    }
    const address = "phone" in parsed.data ? parsed.data.phone : parsed.data.email;
    const started = await reachState<CodeEnrollmentStart>(() => signedInUser(c).beginCodeEnrollment(kind, address, c.var.identity.sessionId));
    if (!started.ok) return refusedEnrollment(c, started, challengeId, kind);
    try {
      const receipt = await sendCode(c, { enrollmentId: started.enrollmentId }, kind, await approvalOf(c, challengeId));
      return renderAddress(c, kind, challengeId, { enrollmentId: started.enrollmentId, destination: receipt.destination }, null, typed, 200);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      return renderAddress(c, kind, challengeId, null, error.message, typed, error.status === 429 ? 429 : 400);
    }
  });
}

for (const kind of ["sms", "email"] as const) {
  hostedPages.post(`/enroll/${kind}/resend`, async (c) => {
    const form = await checkedForm(c);
    const challengeId = optionalChallengeId(form.challenge);
    const enrollmentId = String(form.enrollmentId ?? "");
    const shown = { enrollmentId, destination: String(form.destination ?? "") };
    try {
      const receipt = await sendCode(c, { enrollmentId }, kind, await approvalOf(c, challengeId));
      return renderAddress(c, kind, challengeId, { enrollmentId, destination: receipt.destination }, null, "", 200);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      return renderAddress(c, kind, challengeId, shown, error.message, "", error.status === 429 ? 429 : 400);
    }
  });
}

hostedPages.post("/enroll", async (c) => {
  const form = await checkedForm(c);
  const challengeId = optionalChallengeId(form.challenge);
  const enrollmentId = String(form.enrollmentId ?? "");
  const kind = form.kind === "sms" || form.kind === "email" ? form.kind : "totp";
  try {
    const confirmed = await confirmEnrollment(c, kind, enrollmentId, String(form.code ?? ""), challengeId, form.trustDevice === "1");
    const continueTo = confirmed.held && challengeId ? completePath(challengeId) : sameHostPath(confirmed.returnTo);
    const { branding } = c.var.policy;
    if (confirmed.backupCodes.length === 0) return renderPage(c, <FactorAddedPage branding={branding} continueTo={continueTo} />);
    return renderPage(c, <BackupCodesPage branding={branding} codes={confirmed.backupCodes} continueTo={continueTo} />);
  } catch (error) {
    if (!shownBesideForm(error)) throw error;
    if (kind === "totp") {
      const started = await reachState<EnrollmentStart>(() =>
        signedInUser(c).beginTotpEnrollment({ sessionId: c.var.identity.sessionId, settings: c.var.policy.factors.totp, resume: true }),
      );
      if (!started.ok) return refusedEnrollment(c, started, challengeId, kind);
      return renderEnrollment(c, started, challengeId, wrongCodeMessage(error), 400);
    }
    const sent = { enrollmentId, destination: String(form.destination ?? "") };
    return renderAddress(c, kind, challengeId, sent, wrongCodeMessage(error), "", 400);
  }
});

function completePath(challengeId: string): string {
  return `/__stepgate/challenge/${challengeId}/complete`;
}

async function openChallenge(c: Context<SessionEnv>, id: string): Promise<ChallengeView> {
  const view = ID_PATTERN.test(id) ? await reachState<ChallengeView | null>(() => signedInUser(c).describeChallenge(id, c.var.identity.sessionId)) : null;
  if (!view) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  return view;
}

/** The factor asked for, if the user has it; else the first they have. */
function chosenFactor(view: ChallengeView, asked: unknown): AnswerFactor {
  const available = ANSWER_FACTORS.filter((f) => view.factors.includes(f));
  return available.find((f) => f === asked) ?? available[0] ?? "totp";
}

/** An enrolment the user's object refused: verify first, go to the challenge, or say why. */
async function refusedEnrollment(c: Context<SessionEnv>, refusal: Refusal, challengeId: string | null, factor: string): Promise<Response> {
  if (refusal.error === "step_up_required") {
    const challenge = await openFreshVerification(c, `/__stepgate/enroll?factor=${factor}`);
    return c.redirect(`/__stepgate/challenge/${challenge.id}`, 303);
  }
  if (refusal.error === "already_enrolled" && challengeId) return c.redirect(`/__stepgate/challenge/${challengeId}`, 303);
  throw refusalProblem(refusal);
}

async function renderChallenge(
  c: Context<SessionEnv>,
  view: ChallengeView,
  factor: AnswerFactor,
  sent: { destination: string; resendInSeconds: number } | null,
  error: string | null,
  status: 200 | 400 | 429,
): Promise<Response> {
  const { policy } = c.var;
  return renderPage(
    c,
    <ChallengePage
      branding={policy.branding}
      challengeId={view.id}
      operation={view.operation}
      factor={factor}
      factors={view.factors}
      destinations={view.destinations}
      sent={sent}
      digits={policy.factors.totp.digits}
      codeLength={factor === "email" ? policy.factors.email.codeLength : policy.factors.sms.codeLength}
      csrf={await sessionCsrf(c)}
      error={error}
      offerTrust={offersTrust(c, view.operation)}
      approving={view.approving}
      held={view.held}
    />,
    status,
  );
}

/** "Trust this device" is offered where the policy lets devices skip this operation. */
function offersTrust(c: Context<SessionEnv>, operation: string): boolean {
  return devicesMaySkip(c.var.policy, operation);
}

async function renderEnrollment(
  c: Context<SessionEnv>,
  started: Extract<EnrollmentStart, { ok: true }>,
  challengeId: string | null,
  error: string | null,
  status: 200 | 400,
): Promise<Response> {
  const { identity, policy } = c.var;
  const settings = { ...policy.factors.totp, ...started.settings };
  const otpauthUri = totpUri(started.secret, settings, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return renderPage(
    c,
    <EnrollPage
      branding={policy.branding}
      enrollmentId={started.enrollmentId}
      secret={started.secret}
      otpauthUri={otpauthUri}
      qrSvg={totpQrSvg(otpauthUri)}
      digits={settings.digits}
      challengeId={challengeId}
      approving={(await challengeBeingAnswered(c, challengeId))?.approving ?? []}
      csrf={await sessionCsrf(c)}
      error={error}
      offerTrust={challengeId !== null && offersTrust(c, LOGIN)}
    />,
    status,
  );
}

async function renderAddress(
  c: Context<SessionEnv>,
  kind: CodeKind,
  challengeId: string | null,
  sent: { enrollmentId: string; destination: string } | null,
  error: string | null,
  address: string,
  status: 200 | 400 | 429,
): Promise<Response> {
  return renderPage(
    c,
    <EnrollAddressPage
      branding={c.var.policy.branding}
      kind={kind}
      challengeId={challengeId}
      approving={(await challengeBeingAnswered(c, challengeId))?.approving ?? []}
      csrf={await sessionCsrf(c)}
      error={error}
      sent={sent}
      address={address}
      offerTrust={challengeId !== null && offersTrust(c, LOGIN)}
    />,
    status,
  );
}

/** Per request: one page both sends a code naming the approval and shows it; ask the user's object once. */
const answeredByRequest = new WeakMap<Request, Promise<ChallengeView | null>>();

/** The open challenge an enrolment answers (to show what it approves), or `null`. */
function challengeBeingAnswered(c: Context<SessionEnv>, challengeId: string | null): Promise<ChallengeView | null> {
  if (!challengeId) return Promise.resolve(null);
  let view = answeredByRequest.get(c.req.raw);
  if (!view) {
    view = reachState<ChallengeView | null>(() => signedInUser(c).describeChallenge(challengeId, c.var.identity.sessionId));
    answeredByRequest.set(c.req.raw, view);
  }
  return view;
}

/** What an enrolment code approves, in words, when the enrolment answers a challenge. */
async function approvalOf(c: Context<SessionEnv>, challengeId: string | null): Promise<string | null> {
  const view = await challengeBeingAnswered(c, challengeId);
  return view ? describeApproval(view.operation, view.approving) : null;
}

function optionalChallengeId(value: unknown): string | null {
  return typeof value === "string" && ID_PATTERN.test(value) ? value : null;
}

/** A refused code the page shows beside its form ({@link wrongCodeMessage}); anything else is an error page. */
function shownBesideForm(error: unknown): error is ProblemError {
  return error instanceof ProblemError && ["invalid_code", "locked", "ip_rate_limited"].includes(error.code);
}

function wrongCodeMessage(error: ProblemError): string {
  if (error.code === "locked" || error.code === "ip_rate_limited") {
    const minutes = Math.ceil(Number(error.extras.retryAfterSeconds) / 60);
    const from = error.code === "ip_rate_limited" ? " from this network" : "";
    return `Too many wrong codes${from}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  const left = Number(error.extras.attemptsRemaining);
  return `That code is not right. ${left} attempt${left === 1 ? "" : "s"} left.`;
}
