/**
 * @module
 * The user JSON API under `/__stepgate/api/`, acting for whoever is signed in to the portal:
 * enrol an authenticator app, read a challenge, answer it for a grant.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { SessionEnv } from "../app-env";
import { totpQrSvg, totpUri } from "../factors/totp";
import { readJson, validate } from "../lib/json-body";
import { problem } from "../lib/problem";
import { userState, type EnrolmentStart } from "../state/user";
import { answerChallenge, confirmTotp } from "./challenge-answers";
import { requireSession } from "./require-session";
import { reachUser, refusalProblem } from "./user-outcomes";

/** Every user API body is a handful of short fields. */
export const MAX_USER_BODY_BYTES = 8 * 1024;

const ChallengeId = z.string().regex(/^[\w-]{22}$/, "a challenge id");
const Code = z.string().min(1).max(32);

export const ConfirmTotpBody = z.strictObject({
  enrollmentId: z.string().regex(/^[\w-]{22}$/, "an enrollment id"),
  code: Code,
  /** The challenge this enrolment answers, when enrolment was forced by a protected request. */
  challengeId: ChallengeId.optional(),
});

export const VerifyBody = z.strictObject({
  factor: z.enum(["totp", "backup_code"]),
  code: Code,
  trustDevice: z.boolean().optional(),
});

export const userApi = new Hono<SessionEnv>();

userApi.use("*", requireSession());
userApi.use(
  "*",
  bodyLimit({
    maxSize: MAX_USER_BODY_BYTES,
    onError: () => problem(413, "body_too_large", `A request body is at most ${MAX_USER_BODY_BYTES} bytes.`),
  }),
);

userApi.get("/me", async (c) => {
  const { identity, policy, tenant } = c.var;
  const status = await reachUser(() => userState(c.env, tenant.tenantId, identity.userId).status());
  return c.json({
    userId: identity.userId,
    enrolled: status.factors.length > 0,
    factors: status.factors,
    enabled: policy.enabled,
    enforcement: policy.enforcement,
  });
});

userApi.post("/enroll/totp", async (c) => {
  const { identity, policy, tenant } = c.var;
  const started = await reachUser<EnrolmentStart>(() => userState(c.env, tenant.tenantId, identity.userId).beginTotpEnrolment());
  if (!started.ok) throw refusalProblem(started);
  const settings = policy.factors.totp;
  const otpauthUri = totpUri(started.secret, settings, settings.issuer ?? policy.branding.name, identity.email ?? identity.userId);
  return c.json({ enrollmentId: started.enrollmentId, otpauthUri, secret: started.secret, qrSvg: totpQrSvg(otpauthUri) }, 201);
});

userApi.post("/enroll/totp/confirm", async (c) => {
  const body = validate(ConfirmTotpBody, await readJson(c), 400);
  const confirmed = await confirmTotp(c, body.enrollmentId, body.code, body.challengeId ?? null);
  return c.json({
    backupCodes: confirmed.backupCodes,
    ...(confirmed.grant ? { grant: confirmed.grant.token, expiresAt: new Date(confirmed.grant.expiresAt).toISOString() } : {}),
  });
});

userApi.get("/challenges/:id", async (c) => {
  const id = validate(ChallengeId, c.req.param("id"), 400);
  const { identity, tenant } = c.var;
  const view = await reachUser(() => userState(c.env, tenant.tenantId, identity.userId).describeChallenge(id, identity.sessionId));
  if (!view) throw refusalProblem({ ok: false, error: "challenge_not_found" });
  return c.json({
    id: view.id,
    operation: view.operation,
    kind: view.kind,
    factors: view.factors,
    expiresAt: new Date(view.expiresAt).toISOString(),
  });
});

userApi.post("/challenges/:id/verify", async (c) => {
  const id = validate(ChallengeId, c.req.param("id"), 400);
  const body = validate(VerifyBody, await readJson(c), 400);
  const answered = await answerChallenge(c, id, body.factor, body.code);
  return c.json({
    grant: answered.grant.token,
    expiresAt: new Date(answered.grant.expiresAt).toISOString(),
    operation: answered.operation,
    singleUse: answered.grant.once,
  });
});

