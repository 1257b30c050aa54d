/**
 * @module
 * `/__stepgate/enroll…`: choosing a factor, then enrolling it: an authenticator app by its QR
 * code, a phone or an email address by a code sent to it (a code sent is followed by a redirect
 * to the page, which asks for that code whenever it is opened again); the backup codes are
 * shown with the first factor. A user who has an authenticator app is offered to replace it
 * instead (`?factor=totp&replace=<its id>`): after a fresh verification, the new app's QR code,
 * and the old app is gone once the new one's first code is confirmed. A passkey has its own
 * page (`passkey-enroll-routes.tsx`). The guards every hosted page runs (CSRF, session, body
 * size) are mounted in `hosted-pages.tsx`.
 */
import { LOGIN } from "../config/operation-schema";
import { Hono, type Context } from "hono";
import type { SessionEnv } from "../app-env";
import { confirmEnrollment } from "../flows/challenge-answers";
import { resumableEnrollment, sentCodeStatus } from "../flows/code-status";
import { openFreshVerification } from "../flows/fresh-verification";
import { signedInUser } from "../flows/require-session";
import { sendCode } from "../flows/send-code";
import { EnrollEmailBody, EnrollPhoneBody, phoneNumbersReady } from "../flows/enrollment-addresses";
import { refusalProblem } from "../flows/user-outcomes";
import { passkeysOffered } from "../flows/passkeys";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import type { Approval } from "../factors/messages";
import { totpQrSvg, totpUri } from "../factors/totp";
import { ProblemError } from "../lib/problem";
import type { CodeKind } from "../state/user/sent-codes";
import type { CodeEnrollmentStart, EnrollmentStart, Refusal, SentCodeStatus, UserStatus } from "../state/user";
import { offersTrust } from "./challenge-routes";
import { shownCode } from "./code-wait";
import { EXAMPLE_PHONE, EnrollAddressPage } from "./enroll-address-page";
import { EnrollChoicePage } from "./enroll-choice-page";
import { EnrollPage } from "./enroll-page";
import { enrollableFactors } from "../config/policy-schema";
import { embeddingOf } from "./embedding";
import { challengeBeingAnswered, optionalId } from "./enroll-challenge";
import { renderEnrolled } from "./enrollment-done";
import { pageLanguage, requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";
import { checkedForm, sessionCsrf } from "./page-forms";
import { renderPasskeyEnrollment } from "./passkey-enroll-routes";
import { problemDetail, shownBesideForm } from "./problem-text";

export const enrollPages = new Hono<SessionEnv>();

enrollPages.get("/enroll", async (c) => {
  const challengeId = optionalId(c.req.query("challenge"));
  const offered = enrollableFactors(c.var.policy).filter((f) => f !== "webauthn" || passkeysOffered(c));
  const asked = offered.find((f) => f === c.req.query("factor"));
  if (!asked) {
    // A user sent to enrol by a challenge has no factor yet; anyone else may have an app already.
    const app = challengeId ? null : await enrolledApp(c);
    if (offered.length > 1 || app) {
      return renderPage(
        c,
        <EnrollChoicePage
          branding={c.var.policy.branding}
          text={await requestText(c, c.var.policy)}
          offered={offered}
          challengeId={challengeId}
          replaceApp={app}
        />,
      );
    }
  }
  const factor = asked ?? "totp";
  if (factor === "webauthn") return renderPasskeyEnrollment(c, challengeId, null, 200);
  if (factor !== "totp") {
    // A code sent to the address given last is asked for again, unless the user asked to change it.
    const resumed = c.req.query("change") === "1" ? null : await resumableEnrollment(c, factor);
    return renderAddress(c, factor, challengeId, resumed, null, "", 200);
  }
  const replaces = optionalId(c.req.query("replace"));
  const started = await beginTotp(c, replaces);
  if (!started.ok) return refusedEnrollment(c, started, challengeId, "totp", replaces);
  return renderEnrollment(c, started, challengeId, replaces, null, 200);
});

for (const kind of ["sms", "email"] as const) {
  enrollPages.post(`/enroll/${kind}`, async (c) => {
    const form = await checkedForm(c);
    const challengeId = optionalId(form.challenge);
    const typed = String(form.address ?? "");
    if (kind === "sms") await phoneNumbersReady(c.env);
    const parsed = kind === "sms" ? EnrollPhoneBody.safeParse({ phone: typed }) : EnrollEmailBody.safeParse({ email: typed });
    if (!parsed.success) {
      const text = await requestText(c, c.var.policy);
      const message = kind === "sms" ? text.t("enroll.phoneInvalid", { example: EXAMPLE_PHONE }) : text.t("enroll.emailInvalid");
      return renderAddress(c, kind, challengeId, null, message, typed, 400);
    }
    const address = "phone" in parsed.data ? parsed.data.phone : parsed.data.email;
    const started = await reachState<CodeEnrollmentStart>(() => signedInUser(c).beginCodeEnrollment(kind, address, c.var.identity.sessionId));
    if (!started.ok) return refusedEnrollment(c, started, challengeId, kind);
    try {
      await sendCode(c, { enrollmentId: started.enrollmentId }, kind, await approvalOf(c, challengeId), pageLanguage(c));
      return c.redirect(addressPath(kind, challengeId), 303);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      return renderAddress(c, kind, challengeId, null, problemDetail(await requestText(c, c.var.policy), error), typed, error.status === 429 ? 429 : 400);
    }
  });
}

for (const kind of ["sms", "email"] as const) {
  enrollPages.post(`/enroll/${kind}/resend`, async (c) => {
    const form = await checkedForm(c);
    const challengeId = optionalId(form.challenge);
    const enrollmentId = String(form.enrollmentId ?? "");
    try {
      await sendCode(c, { enrollmentId }, kind, await approvalOf(c, challengeId), pageLanguage(c));
      return c.redirect(addressPath(kind, challengeId), 303);
    } catch (error) {
      if (!(error instanceof ProblemError) || error.status >= 500) throw error;
      const code = await enrollmentCode(c, kind, enrollmentId);
      return renderAddress(c, kind, challengeId, code, problemDetail(await requestText(c, c.var.policy), error), "", error.status === 429 ? 429 : 400);
    }
  });
}

enrollPages.post("/enroll", async (c) => {
  const form = await checkedForm(c);
  const challengeId = optionalId(form.challenge);
  const enrollmentId = String(form.enrollmentId ?? "");
  const kind = form.kind === "sms" || form.kind === "email" ? form.kind : "totp";
  try {
    const confirmed = await confirmEnrollment(c, enrollmentId, { kind, code: String(form.code ?? "") }, challengeId, form.trustDevice === "1");
    return renderEnrolled(c, confirmed, challengeId);
  } catch (error) {
    if (!shownBesideForm(error)) throw error;
    if (kind === "totp") {
      const replaces = optionalId(form.replace);
      const started = await beginTotp(c, replaces);
      if (!started.ok) return refusedEnrollment(c, started, challengeId, kind, replaces);
      return renderEnrollment(c, started, challengeId, replaces, problemDetail(await requestText(c, c.var.policy), error), 400);
    }
    const code = await enrollmentCode(c, kind, enrollmentId);
    return renderAddress(c, kind, challengeId, code, problemDetail(await requestText(c, c.var.policy), error), "", 400);
  }
});

/** Starts (or resumes) enrolling an authenticator app, or replacing the enrolled one (`replaces`). */
function beginTotp(c: Context<SessionEnv>, replaces: string | null): Promise<EnrollmentStart> {
  return reachState<EnrollmentStart>(() =>
    signedInUser(c).beginTotpEnrollment({ sessionId: c.var.identity.sessionId, settings: c.var.policy.factors.totp, resume: true, replaces }),
  );
}

/** The user's authenticator app (its factor id), or `null` when they have none. */
async function enrolledApp(c: Context<SessionEnv>): Promise<string | null> {
  const status = await reachState<UserStatus>(() => signedInUser(c).status(c.var.policy.enrollmentEpoch));
  return status.factors.find((f) => f.kind === "totp")?.id ?? null;
}

/**
 * An enrolment the user's object refused: verify first (and come back to this page), go to the
 * challenge, replace the app the user already has (there is one app per user), or say why.
 */
async function refusedEnrollment(
  c: Context<SessionEnv>,
  refusal: Refusal,
  challengeId: string | null,
  factor: string,
  replaces: string | null = null,
): Promise<Response> {
  if (refusal.error === "step_up_required") {
    const challenge = await openFreshVerification(c, enrollPath(factor, replaces));
    return c.redirect(`/__stepgate/challenge/${challenge.id}`, 303);
  }
  if (refusal.error === "already_enrolled" && challengeId) return c.redirect(`/__stepgate/challenge/${challengeId}`, 303);
  if (refusal.error === "already_enrolled" && factor === "totp") {
    const app = await enrolledApp(c);
    if (app) return c.redirect(enrollPath("totp", app), 303);
  }
  throw refusalProblem(refusal);
}

/**
 * The page that enrols `factor`, or replaces the enrolled app `replaces`.
 * @example
 * enrollPath("totp", factorId) // "/__stepgate/enroll?factor=totp&replace=…"
 */
export function enrollPath(factor: string, replaces: string | null = null): string {
  return `/__stepgate/enroll?factor=${factor}${replaces ? `&replace=${replaces}` : ""}`;
}

async function renderEnrollment(
  c: Context<SessionEnv>,
  started: Extract<EnrollmentStart, { ok: true }>,
  challengeId: string | null,
  replaces: string | null,
  error: string | null,
  status: 200 | 400,
): Promise<Response> {
  const { identity, policy } = c.var;
  embeddingOf(c, challengeId); // a form's challenge: for the layout's way back to the SPA client
  const settings = { ...policy.factors.totp, ...started.settings };
  const otpauthUri = totpUri(started.secret, settings, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return renderPage(
    c,
    <EnrollPage
      branding={policy.branding}
      text={await requestText(c, policy)}
      enrollmentId={started.enrollmentId}
      secret={started.secret}
      otpauthUri={otpauthUri}
      qrSvg={totpQrSvg(otpauthUri)}
      digits={settings.digits}
      challengeId={challengeId}
      replaces={replaces}
      approving={(await challengeBeingAnswered(c, challengeId))?.approving ?? []}
      csrf={await sessionCsrf(c)}
      error={error}
      offerTrust={challengeId !== null && offersTrust(c, LOGIN)}
    />,
    status,
  );
}

/**
 * The enrolment page by text or email (GET): it asks for the code sent to the address given
 * last, while that code works; a code sent from here comes back to it.
 */
function addressPath(kind: CodeKind, challengeId: string | null): string {
  return `/__stepgate/enroll?factor=${kind}${challengeId ? `&challenge=${challengeId}` : ""}`;
}

/** A pending enrolment's code (see `sentCodeStatus`), or `null` when the enrolment is gone. */
async function enrollmentCode(c: Context<SessionEnv>, kind: CodeKind, enrollmentId: string): Promise<SentCodeStatus | null> {
  const status = ID_PATTERN.test(enrollmentId) ? await sentCodeStatus(c, { enrollmentId }, kind) : null;
  return status?.ok ? status : null;
}

async function renderAddress(
  c: Context<SessionEnv>,
  kind: CodeKind,
  challengeId: string | null,
  code: SentCodeStatus | null,
  error: string | null,
  address: string,
  status: 200 | 400 | 429,
): Promise<Response> {
  embeddingOf(c, challengeId); // a form's challenge: for the layout's way back to the SPA client
  return renderPage(
    c,
    <EnrollAddressPage
      branding={c.var.policy.branding}
      text={await requestText(c, c.var.policy)}
      kind={kind}
      challengeId={challengeId}
      approving={(await challengeBeingAnswered(c, challengeId))?.approving ?? []}
      csrf={await sessionCsrf(c)}
      error={error}
      sent={code?.enrollmentId ? { ...shownCode(code, Date.now()), enrollmentId: code.enrollmentId } : null}
      address={address}
      offerTrust={challengeId !== null && offersTrust(c, LOGIN)}
    />,
    status,
  );
}

/** What an enrolment code approves, when the enrolment answers a challenge. */
async function approvalOf(c: Context<SessionEnv>, challengeId: string | null): Promise<Approval | null> {
  const view = await challengeBeingAnswered(c, challengeId);
  return view ? { operation: view.operation, approving: view.approving } : null;
}
