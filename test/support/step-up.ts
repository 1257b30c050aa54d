/** Steps a test user through the real API: trigger a challenge, enrol a TOTP app, answer. */
import { expect } from "vitest";
import { send } from "./builders";
import { totpCode } from "./totp";

export interface EnrolledUser {
  secret: string;
  backupCodes: string[];
  /** When the enrolment code was made; the next code must be for a later time step. */
  enrolledAt: number;
}

export const sessionHeaders = (token: string, extra: Record<string, string> = {}) => ({
  Cookie: `portal_session=${token}`,
  "Content-Type": "application/json",
  ...extra,
});

export async function postJson(url: string, token: string, body: unknown, extra: Record<string, string> = {}): Promise<Response> {
  return send(url, { method: "POST", headers: sessionHeaders(token, extra), body: JSON.stringify(body) });
}

/** Enrols TOTP for the session's user through the user API and returns the secret. */
export async function enrollTotpViaApi(base: string, token: string, challengeId?: string): Promise<EnrolledUser & { grant?: string }> {
  const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
  expect(started.status).toBe(201);
  const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
  const enrolledAt = Date.now();
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, {
    enrollmentId,
    code: totpCode(secret, enrolledAt),
    ...(challengeId ? { challengeId } : {}),
  });
  expect(confirmed.status).toBe(200);
  const body = await confirmed.json<{ backupCodes: string[]; grant?: string }>();
  return { secret, backupCodes: body.backupCodes, enrolledAt, grant: body.grant };
}

/** Makes the protected call and returns the challenge id from its 401. */
export async function challengeFor(url: string, token: string, body: unknown = { amount: 10 }): Promise<string> {
  const response = await postJson(url, token, body);
  expect(response.status).toBe(401);
  return (await response.json<{ challengeId: string }>()).challengeId;
}

export async function verify(base: string, token: string, challengeId: string, factor: string, code: string): Promise<Response> {
  return postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor, code });
}
