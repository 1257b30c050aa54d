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
import { answerChallenge, confirmTotp } from "../api/challenge-answers";
import { requireSession } from "../api/require-session";
import { reachUser, refusalProblem } from "../api/user-outcomes";
import { totpQrSvg, totpUri } from "../factors/totp";
import { csrfToken, csrfTokenValid } from "../lib/csrf";
import { problem, ProblemError } from "../lib/problem";
import { sameHostPath } from "../lib/return-to";
import { userState, type ChallengeView, type EnrolmentStart } from "../state/user";
import { BackupCodesPage } from "./backup-codes-page";
import { ChallengePage } from "./challenge-page";
import { EnrollPage } from "./enroll-page";

/** A hosted-page form is a few short fields. */
const MAX_FORM_BYTES = 4 * 1024;
const CHALLENGE_ID = /^[\w-]{22}$/;

export const hostedPages = new Hono<SessionEnv>();

/** Only the pages' own paths: other `/__stepgate/*` requests must keep their own 404s and auth. */
for (const path of ["/challenge/*", "/enroll"]) {
  hostedPages.use(path, csrf(), requireSession(), async function noStore(c, next) {
    await next();
    // Pages carry secrets (TOTP keys, backup codes, CSRF tokens): never cache them anywhere.
    c.header("Cache-Control", "no-store");
  });
  hostedPages.post(
    path,
    bodyLimit({ maxSize: MAX_FORM_BYTES, onError: () => problem(413, "body_too_large", `A form is at most ${MAX_FORM_BYTES} bytes.`) }),
  );
}

hostedPages.get("/challenge/:id", async (c) => {
  const view = await openChallenge(c, c.req.param("id"));
  if (view.kind === "enroll" && !view.factors.includes("totp")) {
    return c.redirect(`/__stepgate/enroll?challenge=${view.id}`, 303);
  }
  return renderChallenge(c, view, c.req.query("factor") === "backup_code" ? "backup_code" : "totp", null, 200);
});

hostedPages.post("/challenge/:id", async (c) => {
  const form = await formOf(c);
  const view = await openChallenge(c, c.req.param("id"));
  const factor = form.factor === "backup_code" ? "backup_code" : "totp";
  try {
    const answered = await answerChallenge(c, view.id, factor, String(form.code ?? ""));
    return c.redirect(sameHostPath(answered.returnTo), 303);
  } catch (error) {
    if (!(error instanceof ProblemError) || (error.code !== "invalid_code" && error.code !== "locked")) throw error;
    const page = await renderChallenge(c, view, factor, wrongCodeMessage(error), error.status === 429 ? 429 : 400);
    const retryAfter = error.getResponse().headers.get("Retry-After");
    if (retryAfter) page.headers.set("Retry-After", retryAfter);
    return page;
  }
});

hostedPages.get("/enroll", async (c) => {
  const challengeId = optionalChallengeId(c.req.query("challenge"));
  const started = await startEnrolment(c);
  if (!started.ok) {
    if (started.error === "already_enrolled" && challengeId) return c.redirect(`/__stepgate/challenge/${challengeId}`, 303);
    throw refusalProblem(started);
  }
  return renderEnrolment(c, started, challengeId, null, 200);
});

hostedPages.post("/enroll", async (c) => {
  const form = await formOf(c);
  const challengeId = optionalChallengeId(form.challenge);
  try {
    const confirmed = await confirmTotp(c, String(form.enrollmentId ?? ""), String(form.code ?? ""), challengeId);
    return c.html(<BackupCodesPage branding={c.var.policy.branding} codes={confirmed.backupCodes} continueTo={sameHostPath(confirmed.returnTo)} />);
  } catch (error) {
    if (!(error instanceof ProblemError) || error.code !== "invalid_code") throw error;
    const started = await startEnrolment(c);
    if (!started.ok) throw refusalProblem(started);
    return renderEnrolment(c, started, challengeId, wrongCodeMessage(error), 400);
  }
});

async function formOf(c: Context<SessionEnv>): Promise<Record<string, unknown>> {
  const form = await c.req.parseBody();
  const { tenant, identity } = c.var;
  if (!(await csrfTokenValid(c.env, form.csrf, [tenant.tenantId, identity.userId, identity.sessionId]))) {
    throw new ProblemError(403, "csrf_failed", "This form has expired or did not come from this site. Go back, reload the page and try again.");
  }
  return form;
}

async function openChallenge(c: Context<SessionEnv>, id: string): Promise<ChallengeView> {
  const { identity, tenant } = c.var;
  const view = CHALLENGE_ID.test(id)
    ? await reachUser<ChallengeView | null>(() => userState(c.env, tenant.tenantId, identity.userId).describeChallenge(id, identity.sessionId))
    : null;
  if (!view) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  return view;
}

function startEnrolment(c: Context<SessionEnv>): Promise<EnrolmentStart> {
  const { identity, tenant } = c.var;
  return reachUser<EnrolmentStart>(() => userState(c.env, tenant.tenantId, identity.userId).beginTotpEnrolment(true));
}

async function renderChallenge(
  c: Context<SessionEnv>,
  view: ChallengeView,
  factor: "totp" | "backup_code",
  error: string | null,
  status: 200 | 400 | 429,
): Promise<Response> {
  const { policy } = c.var;
  return c.html(
    <ChallengePage
      branding={policy.branding}
      challengeId={view.id}
      operation={view.operation}
      factor={factor}
      factors={view.factors}
      digits={policy.factors.totp.digits}
      csrf={await sessionCsrf(c)}
      error={error}
    />,
    status,
  );
}

async function renderEnrolment(
  c: Context<SessionEnv>,
  started: Extract<EnrolmentStart, { ok: true }>,
  challengeId: string | null,
  error: string | null,
  status: 200 | 400,
): Promise<Response> {
  const { identity, policy } = c.var;
  const settings = policy.factors.totp;
  const otpauthUri = totpUri(started.secret, settings, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return c.html(
    <EnrollPage
      branding={policy.branding}
      enrollmentId={started.enrollmentId}
      secret={started.secret}
      otpauthUri={otpauthUri}
      qrSvg={totpQrSvg(otpauthUri)}
      digits={settings.digits}
      challengeId={challengeId}
      csrf={await sessionCsrf(c)}
      error={error}
    />,
    status,
  );
}

function sessionCsrf(c: Context<SessionEnv>): Promise<string> {
  const { tenant, identity } = c.var;
  return csrfToken(c.env, [tenant.tenantId, identity.userId, identity.sessionId]);
}

function optionalChallengeId(value: unknown): string | null {
  return typeof value === "string" && CHALLENGE_ID.test(value) ? value : null;
}

function wrongCodeMessage(error: ProblemError): string {
  if (error.code === "locked") {
    const minutes = Math.ceil(Number(error.extras.retryAfterSeconds) / 60);
    return `Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  const left = Number(error.extras.attemptsRemaining);
  return `That code is not right. ${left} attempt${left === 1 ? "" : "s"} left.`;
}
