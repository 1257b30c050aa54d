/**
 * @module
 * The user JSON API under `/__stepgate/api/`, acting for whoever is signed in to the portal:
 * enroll an authenticator app, a phone or an email address, read a challenge, have a code
 * sent, answer it for a grant. Each route declares what it takes and answers
 * (`route-declarations.ts`); the OpenAPI document is generated from those declarations.
 */
import { type Context, Hono } from "hono";
import { describeRoute } from "hono-openapi";
import * as z from "zod";
import type { SessionEnv } from "../app-env";
import { matchLanguage } from "../config/languages";
import { type ApprovedField, shownField } from "../factors/approved-field";
import { totpQrSvg, totpUri } from "../factors/totp";
import { answerChallenge, type ConfirmedEnrollment, confirmEnrollment } from "../flows/challenge-answers";
import { beginPasskeyEnrollment, passkeyRequestOptions } from "../flows/passkeys";
import { completeHeldRequest } from "../flows/complete-held";
import { freshVerificationProblem } from "../flows/fresh-verification";
import { requireLoginGrant } from "../flows/require-login-grant";
import { requireSession, signedInUser } from "../flows/require-session";
import { type SentCodeReceipt, sendCode } from "../flows/send-code";
import { refusalProblem } from "../flows/user-outcomes";
import { isRequired } from "../gate/requirement";
import { iso } from "../lib/iso-time";
import { isJsonContentType } from "../lib/json-body";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import type { ChallengeView, CodeEnrollmentStart, DeviceView, EnrollmentStart, Refusal, RemovalOutcome, UserStatus } from "../state/user";
import { type AuditEntry, requestOrigin } from "../state/user/audit";
import type { CodeKind } from "../state/user/sent-codes";
import { phoneNumbersReady } from "../flows/enrollment-addresses";
import { answers, jsonBody, paramsOf } from "./route-declarations";
import {
  ActivityEntry,
  BackupCodes,
  ChallengeDescription,
  ChallengeId,
  ConfirmBody,
  Confirmed,
  type ApprovingField,
  Device,
  ENROLLABLE_FACTORS,
  EnrollEmailBody,
  EnrollPhoneBody,
  Grant,
  Id,
  Me,
  PasskeyConfirmBody,
  PasskeyConfirmed,
  PasskeyEnrollment,
  PasskeyRequest,
  RenameBody,
  ResendBody,
  SendBody,
  SentCode,
  TotpEnrollment,
  VerifyBody,
} from "./user-schemas";

/** Sign-in activity entries shown to the user. */
const ACTIVITY_ENTRIES = 20;

export const userApi = new Hono<SessionEnv>();

userApi.use("*", requireSession(), describeRoute({ tags: ["user"], security: [{ portalSession: [] }] }));

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

const ChallengeParam = z.object({ id: ChallengeId });
const SentForEnrollment = SentCode.extend({ enrollmentId: z.string() });

userApi.get("/me", answers("Enrollment state and what policy requires", [200, "The signed-in user", Me]), async (c) => {
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

userApi.get(
  "/activity",
  answers("Recent sign-ins, verifications and changes (needs the login grant)", [200, "Newest first", z.object({ entries: z.array(ActivityEntry) })]),
  async (c) => c.json({ entries: await reachState<AuditEntry[]>(() => signedInUser(c).signInActivity(ACTIVITY_ENTRIES)) }),
);

userApi.get("/devices", answers("Trusted devices (needs the login grant)", [200, "Newest first", z.object({ devices: z.array(Device) })]), async (c) =>
  c.json({ devices: await reachState<DeviceView[]>(() => signedInUser(c).devices()) }),
);

userApi.delete(
  "/devices/:id",
  answers("Stop trusting a device (needs the login grant)", [204, "Revoked"], { problems: [404] }),
  paramsOf(z.object({ id: Id("a device id") })),
  async (c) => {
    const { id } = c.req.valid("param");
    const removed = await reachState<boolean>(() => signedInUser(c).revokeDevice(id, requestOrigin(c.req.raw), "user"));
    if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
    return c.body(null, 204);
  },
);

userApi.delete(
  "/factors/:id",
  answers("Remove a factor (needs a fresh verification)", [204, "Removed"], { problems: [404, 409] }),
  paramsOf(z.object({ id: Id("a factor id") })),
  async (c) => {
    const { identity, policy } = c.var;
    const factorId = c.req.valid("param").id;
    const status = await reachState<UserStatus>(() => signedInUser(c).status(policy.enrollmentEpoch));
    const mayRemoveLast = !policy.enabled || !isRequired(policy, identity, status);
    const outcome = await reachState<RemovalOutcome>(() =>
      signedInUser(c).removeFactor({ factorId, sessionId: identity.sessionId, mayRemoveLast, origin: requestOrigin(c.req.raw) }),
    );
    if (!outcome.ok) throw outcome.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(outcome);
    return c.body(null, 204);
  },
);

userApi.patch(
  "/factors/:id",
  answers("Rename a passkey (needs the login grant)", [204, "Renamed"], { problems: [404] }),
  paramsOf(z.object({ id: Id("a factor id") })),
  jsonBody(RenameBody),
  async (c) => {
    const renamed = await reachState<boolean>(() => signedInUser(c).renamePasskey(c.req.valid("param").id, c.req.valid("json").name, requestOrigin(c.req.raw)));
    if (!renamed) throw new ProblemError(404, "factor_not_found", "No passkey with this id.");
    return c.body(null, 204);
  },
);

userApi.post("/backup-codes", answers("New backup codes; the old ones die (needs a fresh verification)", [201, "Shown once", BackupCodes]), async (c) => {
  const { identity, policy } = c.var;
  const outcome = await reachState<{ ok: true; backupCodes: string[] } | Refusal>(() =>
    signedInUser(c).regenerateBackupCodes({ sessionId: identity.sessionId, count: policy.factors.backupCodes.count, origin: requestOrigin(c.req.raw) }),
  );
  if (!outcome.ok) throw outcome.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(outcome);
  return c.json({ backupCodes: outcome.backupCodes }, 201);
});

userApi.post("/enroll/totp", answers("Start enrolling an authenticator app", [201, "Secret and QR code", TotpEnrollment], { problems: [409] }), async (c) => {
  const { identity, policy } = c.var;
  const settings = policy.factors.totp;
  const started = await reachState<EnrollmentStart>(() => signedInUser(c).beginTotpEnrollment({ sessionId: identity.sessionId, settings, resume: false }));
  if (!started.ok) throw started.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(started);
  const otpauthUri = totpUri(started.secret, { ...settings, ...started.settings }, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return c.json({ enrollmentId: started.enrollmentId, otpauthUri, secret: started.secret, qrSvg: totpQrSvg(otpauthUri) }, 201);
});

userApi.post(
  "/enroll/sms",
  answers("Start enrolling a phone; the first code is sent", [201, "Code sent", SentForEnrollment], { problems: [429] }),
  // The numbering plans the body is checked against, read before it is.
  async function phoneNumbers(c, next) {
    await phoneNumbersReady(c.env);
    await next();
  },
  jsonBody(EnrollPhoneBody),
  async (c) => beginCodeEnrollment(c, "sms", c.req.valid("json").phone),
);

userApi.post(
  "/enroll/email",
  answers("Start enrolling an email address; the first code is sent", [201, "Code sent", SentForEnrollment], { problems: [429] }),
  jsonBody(EnrollEmailBody),
  async (c) => beginCodeEnrollment(c, "email", c.req.valid("json").email),
);

for (const kind of ["sms", "email"] as const) {
  userApi.post(
    `/enroll/${kind}/resend`,
    answers("Send a new enrollment code", [202, "Code sent", SentForEnrollment], { problems: [429] }),
    jsonBody(ResendBody),
    async (c) => {
      const { enrollmentId } = c.req.valid("json");
      return c.json({ enrollmentId, ...receiptJson(await sendCode(c, { enrollmentId }, kind, null, null)) }, 202);
    },
  );
}

for (const kind of ENROLLABLE_FACTORS) {
  userApi.post(
    `/enroll/${kind}/confirm`,
    answers(`Confirm the ${kind} enrollment with its first code`, [200, "Backup codes with the first factor", Confirmed], { problems: [404, 423, 429] }),
    jsonBody(ConfirmBody),
    async (c) => {
      const body = c.req.valid("json");
      const confirmed = await confirmEnrollment(c, body.enrollmentId, { kind, code: body.code }, body.challengeId ?? null, body.trustDevice ?? false);
      return c.json(confirmedJson(confirmed));
    },
  );
}

userApi.post(
  "/enroll/webauthn",
  answers("Start enrolling a passkey or security key", [201, "Options for navigator.credentials.create()", PasskeyEnrollment], { problems: [409] }),
  async (c) => c.json(await beginPasskeyEnrollment(c), 201),
);

userApi.post(
  "/enroll/webauthn/confirm",
  answers("Confirm a passkey enrolment with the browser's new credential", [200, "Backup codes with the first factor", PasskeyConfirmed], {
    problems: [404, 409],
  }),
  jsonBody(PasskeyConfirmBody),
  async (c) => {
    const body = c.req.valid("json");
    const proof = { kind: "webauthn" as const, response: body.response, name: body.name ?? null };
    const confirmed = await confirmEnrollment(c, body.enrollmentId, proof, body.challengeId ?? null, body.trustDevice ?? false);
    return c.json({ factorId: confirmed.factorId, name: confirmed.name, ...confirmedJson(confirmed) });
  },
);

function confirmedJson(confirmed: ConfirmedEnrollment) {
  return {
    backupCodes: confirmed.backupCodes,
    ...(confirmed.grant ? { grant: confirmed.grant.token, expiresAt: iso(confirmed.grant.expiresAt) } : {}),
  };
}

userApi.get(
  "/challenges/:id",
  answers("What a challenge approves and how it can be answered", [200, "The challenge", ChallengeDescription], { problems: [404] }),
  paramsOf(ChallengeParam),
  async (c) => {
    const view = await challenge(c, c.req.valid("param").id);
    return c.json({
      id: view.id,
      operation: view.operation,
      kind: view.kind,
      factors: view.factors,
      approving: approvingIn(c, view.approving),
      held: view.held,
      destinations: view.destinations,
      expiresAt: iso(view.expiresAt),
    });
  },
);

/**
 * The fields a challenge approves, each with its label and value as the hosted page would show
 * them, in the language of the user's session, else the portal's default.
 */
function approvingIn(c: Context<SessionEnv>, approving: readonly ApprovedField[]): Array<z.infer<typeof ApprovingField>> {
  const { languages, defaultLanguage } = c.var.policy.branding;
  const language = (c.var.identity.locale ? matchLanguage(c.var.identity.locale, languages) : undefined) ?? defaultLanguage;
  return approving.map((field) => {
    const { label, shown } = shownField(field, language);
    return { field: field.field, value: field.value, label, formatted: shown };
  });
}

userApi.post(
  "/challenges/:id/send",
  answers("Send a code for a challenge", [202, "Code sent", SentCode], { problems: [404, 429] }),
  paramsOf(ChallengeParam),
  jsonBody(SendBody),
  async (c) => {
    const { id } = c.req.valid("param");
    const { factor } = c.req.valid("json");
    const view = await challenge(c, id);
    return c.json(receiptJson(await sendCode(c, { challengeId: id }, factor as CodeKind, { operation: view.operation, approving: view.approving }, null)), 202);
  },
);

userApi.get(
  "/challenges/:id/webauthn",
  answers(
    "Options for answering a challenge with a passkey, bound to the request it approves",
    [200, "Options for navigator.credentials.get()", PasskeyRequest],
    {
      problems: [404, 409],
    },
  ),
  paramsOf(ChallengeParam),
  async (c) => c.json({ publicKey: await passkeyRequestOptions(c, c.req.valid("param").id) }),
);

userApi.post(
  "/challenges/:id/verify",
  answers("Answer a challenge; the grant comes back and as a cookie", [200, "Granted", Grant], { problems: [404, 423, 429] }),
  paramsOf(ChallengeParam),
  jsonBody(VerifyBody),
  async (c) => {
    const body = c.req.valid("json");
    const answer = body.factor === "webauthn" ? { factor: body.factor, response: body.response } : { factor: body.factor, code: body.code };
    const answered = await answerChallenge(c, c.req.valid("param").id, answer, body.trustDevice ?? false);
    return c.json({
      grant: answered.grant.token,
      expiresAt: iso(answered.grant.expiresAt),
      operation: answered.operation,
      singleUse: answered.grant.once,
      held: answered.held,
    });
  },
);

/** Sends the request held with this challenge (once), answering with the origin's response. */
userApi.post(
  "/challenges/:id/complete",
  answers("Send the request held with a verified challenge, once", [200, "Whatever the portal answered the held request (any status)"], {
    problems: [404, 409],
  }),
  paramsOf(ChallengeParam),
  async (c) => completeHeldRequest(c, c.req.valid("param").id),
);

/** Starts enrolling `address` for `kind` and sends its first code. */
async function beginCodeEnrollment(c: Context<SessionEnv>, kind: "sms" | "email", address: string): Promise<Response> {
  const started = await reachState<CodeEnrollmentStart>(() => signedInUser(c).beginCodeEnrollment(kind, address, c.var.identity.sessionId));
  if (!started.ok) throw started.error === "step_up_required" ? await freshVerificationProblem(c) : refusalProblem(started);
  const receipt = await sendCode(c, { enrollmentId: started.enrollmentId }, kind, null, null);
  return c.json({ enrollmentId: started.enrollmentId, ...receiptJson(receipt) }, 201);
}

async function challenge(c: Context<SessionEnv>, id: string): Promise<ChallengeView> {
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
