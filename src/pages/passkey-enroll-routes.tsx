/**
 * @module
 * `/__stepgate/enroll?factor=webauthn`: creating a passkey. The page carries the creation
 * options of a new pending enrolment (`beginPasskeyEnrollment`); its script asks the browser
 * for the passkey and sends the browser's answer to `POST /__stepgate/enroll/webauthn`, which
 * confirms it as any enrolment is confirmed (`confirmEnrollment`) and goes on as the other
 * factors do. A passkey refused is said beside a new form: the refused enrolment is spent.
 */
import { LOGIN } from "../config/operation-schema";
import { Hono, type Context } from "hono";
import type { SessionEnv } from "../app-env";
import { enrollableFactors } from "../config/policy-schema";
import { PasskeyName } from "../factors/authenticator-names";
import { confirmEnrollment } from "../flows/challenge-answers";
import { beginPasskeyEnrollment } from "../flows/passkeys";
import { ProblemError } from "../lib/problem";
import { offersTrust } from "./challenge-routes";
import { challengeBeingAnswered, optionalId } from "./enroll-challenge";
import { renderEnrolled } from "./enrollment-done";
import { requestText } from "./i18n/language-choice";
import { embeddingOf } from "./embedding";
import { renderPage } from "./layout";
import { checkedForm, sessionCsrf, submittedCredential } from "./page-forms";
import { PasskeyEnrollPage } from "./passkey-enroll-page";

/** What a passkey's name may not hold (as `PasskeyName`): control and formatting characters, line breaks. */
const NOT_PLAIN_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

export const passkeyEnrollPages = new Hono<SessionEnv>();

passkeyEnrollPages.post("/enroll/webauthn", async (c) => {
  const form = await checkedForm(c);
  const challengeId = optionalId(form.challenge);
  const proof = { kind: "webauthn" as const, response: submittedCredential(form), name: passkeyName(form.name) };
  try {
    const confirmed = await confirmEnrollment(c, String(form.enrollmentId ?? ""), proof, challengeId, form.trustDevice === "1");
    return await renderEnrolled(c, confirmed, challengeId);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.code !== "webauthn_refused") throw error;
    const text = await requestText(c, c.var.policy);
    return renderPasskeyEnrollment(c, challengeId, text.t("passkey.refused"), 400);
  }
});

/**
 * The page creating a passkey, for a new pending enrolment; a user who has a factor and has not
 * verified lately is sent to verify first, and back here after (as for every factor).
 * @example
 * if (factor === "webauthn") return renderPasskeyEnrollment(c, challengeId, null, 200);
 */
export async function renderPasskeyEnrollment(c: Context<SessionEnv>, challengeId: string | null, error: string | null, status: 200 | 400): Promise<Response> {
  const { policy } = c.var;
  embeddingOf(c, challengeId); // a form's challenge: for the layout's way back to the SPA client
  let started: Awaited<ReturnType<typeof beginPasskeyEnrollment>>;
  try {
    started = await beginPasskeyEnrollment(c, "/__stepgate/enroll?factor=webauthn");
  } catch (problem) {
    if (!(problem instanceof ProblemError) || problem.code !== "step_up_required") throw problem;
    return c.redirect(`/__stepgate/challenge/${String(problem.extras.challengeId)}`, 303);
  }
  return renderPage(
    c,
    <PasskeyEnrollPage
      branding={policy.branding}
      text={await requestText(c, policy)}
      enrollmentId={started.enrollmentId}
      publicKey={started.publicKey}
      challengeId={challengeId}
      approving={(await challengeBeingAnswered(c, challengeId))?.approving ?? []}
      others={enrollableFactors(policy).filter((f) => f !== "webauthn")}
      csrf={await sessionCsrf(c)}
      error={error}
      offerTrust={challengeId !== null && offersTrust(c, LOGIN)}
    />,
    status,
  );
}

/** The name the user gave the passkey, as plain text; `null` for none (then its maker's, where known). */
function passkeyName(value: unknown): string | null {
  const parsed = PasskeyName.safeParse(typeof value === "string" ? value.replace(NOT_PLAIN_TEXT, "") : "");
  return parsed.success ? parsed.data : null;
}
