/**
 * @module
 * The user JSON API under `/__stepgate/api/`, acting for whoever is signed in to the portal:
 * enrol an authenticator app, a phone or an email address, read a challenge, have a code
 * sent, answer it for a grant.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { SessionEnv } from "../app-env";
import { describeApproval } from "../factors/messages";
import { totpQrSvg, totpUri } from "../factors/totp";
import { isJsonContentType, readJson, validate } from "../lib/json-body";
import { problem } from "../lib/problem";
import type { CodeKind } from "../state/user/sent-codes";
import { isRequired } from "../gate/requirement";
import { ProblemError } from "../lib/problem";
import { iso } from "../lib/iso-time";
import type { ChallengeView, CodeEnrollmentStart, DeviceView, EnrollmentStart, Refusal, RemovalOutcome, UserStatus } from "../state/user";
import { requestOrigin, type AuditEntry } from "../state/user/audit";
import { answerChallenge, confirmEnrollment } from "../flows/challenge-answers";
import { completeHeldRequest } from "../flows/complete-held";
import { freshVerificationProblem } from "../flows/fresh-verification";
import { requireLoginGrant } from "../flows/require-login-grant";
import { requireSession, signedInUser } from "../flows/require-session";
import { sendCode, type SentCodeReceipt } from "../flows/send-code";
import { refusalProblem } from "../flows/user-outcomes";
import { reachState } from "../lib/reach-state";
import { ChallengeId, ConfirmBody, ENROLLABLE_FACTORS, EnrollEmailBody, EnrollPhoneBody, Id, ResendBody, SendBody, VerifyBody } from "./user-schemas";

/** Every user API body is a handful of short fields. */
export const MAX_USER_BODY_BYTES = 8 * 1024;

/** Sign-in activity entries shown to the user. */
const ACTIVITY_ENTRIES = 20;

export const userApi = new Hono<SessionEnv>();

userApi.use("*", requireSession());
userApi.use(
  "*",
  bodyLimit({
    maxSize: MAX_USER_BODY_BYTES,
    onError: () => problem(413, "body_too_large", `A request body is at most ${MAX_USER_BODY_BYTES} bytes.`),
  }),
);

/**
 * A cross-site page can POST with a simple content type (a form, `fetch` in `no-cors` mode)
 * and the portal's cookie may go along. Insisting on `application/json` for every POST (even
 * one without a body) makes the browser ask first (CORS preflight), which a foreign page fails.
 */
userApi.post("*", async function requireJsonRequest(c, next) {
  if (!isJsonContentType(c.req.header("Content-Type"))) {
    throw new ProblemError(415, "unsupported_media_type", "Send the request as application/json (also when it has no body).");
  }
  await next();
});

userApi.get("/me", async (c) => {
  const { identity, policy } = c.var;
  const status = await reachState<UserStatus>(() => signedInUser(c).status(policy.enrollmentEpoch));
  const devices = await reachState<DeviceView[]>(() => signedInUser(c).devices());
  return c.json({
    userId: identity.userId,
    enrolled: status.factors.length > 0,
    factors: status.factors,
    devices: devices.length,
    enabled: policy.enabled,
    enforcement: policy.enforcement,
    /** Whether policy requires 2FA of this user (so the last factor cannot be removed). */
    required: policy.enabled && isRequired(policy, identity, status),
    enforcementChangedAt: policy.enforcementChangedAt ?? null,
  });
});

// What protects the account is shown and changed only in a session that passed the login step-up.
for (const path of ["/devices", "/devices/*", "/factors/*", "/backup-codes", "/activity"]) userApi.use(path, requireLoginGrant());

userApi.get("/activity", async (c) => c.json({ entries: await reachState<AuditEntry[]>(() => signedInUser(c).signInActivity(ACTIVITY_ENTRIES)) }));

userApi.get("/devices", async (c) => c.json({ devices: await reachState<DeviceView[]>(() => signedInUser(c).devices()) }));

userApi.delete("/devices/:id", async (c) => {
  const id = validate(Id("a device id"), c.req.param("id"), 400);
  const removed = await reachState<boolean>(() => signedInUser(c).revokeDevice(id, requestOrigin(c.req.raw), "user"));
  if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
  return c.body(null, 204);
});

userApi.delete("/factors/:id", async (c) => {
  const { identity, policy } = c.var;
  const factorId = validate(Id("a factor id"), c.req.param("id"), 400);
  const status = await reachState<UserStatus>(() => signedInUser(c).status(policy.enrollmentEpoch));
  const mayRemoveLast = !policy.enabled || !isRequired(policy, identity, status);
  const outcome = await reachState<RemovalOutcome>(() =>
    signedInUser(c).removeFactor({ factorId, sessionId: identity.sessionId, mayRemoveLast, origin: requestOrigin(c.req.raw) }),
  );
  if (!outcome.ok) throw outcome.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(outcome);
  return c.body(null, 204);
});

userApi.post("/backup-codes", async (c) => {
  const { identity, policy } = c.var;
  const outcome = await reachState<{ ok: true; backupCodes: string[] } | Refusal>(() =>
    signedInUser(c).regenerateBackupCodes({ sessionId: identity.sessionId, count: policy.factors.backupCodes.count, origin: requestOrigin(c.req.raw) }),
  );
  if (!outcome.ok) throw outcome.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(outcome);
  return c.json({ backupCodes: outcome.backupCodes }, 201);
});

userApi.post("/enroll/totp", async (c) => {
  const { identity, policy } = c.var;
  const settings = policy.factors.totp;
  const started = await reachState<EnrollmentStart>(() => signedInUser(c).beginTotpEnrollment({ sessionId: identity.sessionId, settings, resume: false }));
  if (!started.ok) throw started.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(started);
  const otpauthUri = totpUri(started.secret, { ...settings, ...started.settings }, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return c.json({ enrollmentId: started.enrollmentId, otpauthUri, secret: started.secret, qrSvg: totpQrSvg(otpauthUri) }, 201);
});

for (const kind of ["sms", "email"] as const) {
  userApi.post(`/enroll/${kind}`, async (c) => {
    const address = kind === "sms" ? validate(EnrollPhoneBody, await readJson(c), 400).phone : validate(EnrollEmailBody, await readJson(c), 400).email;
    const started = await reachState<CodeEnrollmentStart>(() => signedInUser(c).beginCodeEnrollment(kind, address, c.var.identity.sessionId));
    if (!started.ok) throw started.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(started);
    const receipt = await sendCode(c, { enrollmentId: started.enrollmentId }, kind, null);
    return c.json({ enrollmentId: started.enrollmentId, ...receiptJson(receipt) }, 201);
  });

  userApi.post(`/enroll/${kind}/resend`, async (c) => {
    const { enrollmentId } = validate(ResendBody, await readJson(c), 400);
    return c.json({ enrollmentId, ...receiptJson(await sendCode(c, { enrollmentId }, kind, null)) }, 202);
  });
}

for (const kind of ENROLLABLE_FACTORS) {
  userApi.post(`/enroll/${kind}/confirm`, async (c) => {
    const body = validate(ConfirmBody, await readJson(c), 400);
    const confirmed = await confirmEnrollment(c, kind, body.enrollmentId, body.code, body.challengeId ?? null, body.trustDevice ?? false);
    return c.json({
      backupCodes: confirmed.backupCodes,
      ...(confirmed.grant ? { grant: confirmed.grant.token, expiresAt: iso(confirmed.grant.expiresAt) } : {}),
    });
  });
}

userApi.get("/challenges/:id", async (c) => {
  const view = await challenge(c);
  return c.json({
    id: view.id,
    operation: view.operation,
    kind: view.kind,
    factors: view.factors,
    approving: view.approving,
    held: view.held,
    destinations: view.destinations,
    expiresAt: iso(view.expiresAt),
  });
});

userApi.post("/challenges/:id/send", async (c) => {
  const id = validate(ChallengeId, c.req.param("id"), 400);
  const { factor } = validate(SendBody, await readJson(c), 400);
  const view = await challenge(c);
  return c.json(receiptJson(await sendCode(c, { challengeId: id }, factor as CodeKind, describeApproval(view.operation, view.approving))), 202);
});

userApi.post("/challenges/:id/verify", async (c) => {
  const id = validate(ChallengeId, c.req.param("id"), 400);
  const body = validate(VerifyBody, await readJson(c), 400);
  const answered = await answerChallenge(c, id, body.factor, body.code, body.trustDevice ?? false);
  return c.json({
    grant: answered.grant.token,
    expiresAt: iso(answered.grant.expiresAt),
    operation: answered.operation,
    singleUse: answered.grant.once,
    held: answered.held,
  });
});

/** Sends the request held with this challenge (once), answering with the origin's response. */
userApi.post("/challenges/:id/complete", async (c) => completeHeldRequest(c, validate(ChallengeId, c.req.param("id"), 400)));

async function challenge(c: Context<SessionEnv>): Promise<ChallengeView> {
  const id = validate(ChallengeId, c.req.param("id"), 400);
  const view = await reachState<ChallengeView | null>(() => signedInUser(c).describeChallenge(id, c.var.identity.sessionId));
  if (!view) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  return view;
}

function receiptJson(receipt: SentCodeReceipt) {
  return {
    destination: receipt.destination,
    expiresAt: iso(receipt.expiresAt),
    resendAfter: iso(receipt.resendAfter),
  };
}
