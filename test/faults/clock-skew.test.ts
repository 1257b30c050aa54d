/**
 * Clock skew at the edges of the TOTP window: with `skewSteps: 1`, a phone one step behind or
 * ahead is accepted, two steps off is refused, and no step is accepted twice.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { postJson } from "../support/step-up";
import { totpCode } from "../support/totp";

const STEP_MS = 30_000;

/** Waits out the end of a time step, so the server reads the same step the test computed. */
async function awayFromStepEdge(): Promise<number> {
  const into = Date.now() % STEP_MS;
  if (into > STEP_MS - 3_000) await new Promise((resolve) => setTimeout(resolve, STEP_MS - into + 100));
  return Date.now();
}

describe("clock skew at the edges of the TOTP window", () => {
  it("accepts a phone one step behind or ahead, refuses two steps off, and never a step twice", async () => {
    const { base } = await aTenant(
      aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } }, lockout: { maxAttempts: 20, windowSeconds: 900, lockSeconds: 900 } }),
    );
    const token = await aSession({ sub: "sky" });
    const now = await awayFromStepEdge();
    const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
    const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
    // Enrolled with a phone running a step behind.
    expect((await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, { enrollmentId, code: totpCode(secret, now - STEP_MS) })).status).toBe(200);

    const challenge = async () => (await (await postJson(`${base}/echo/withdraw`, token, {})).json<{ challengeId: string }>()).challengeId;
    const verify = async (at: number) =>
      (await postJson(`${base}/__stepgate/api/challenges/${await challenge()}/verify`, token, { factor: "totp", code: totpCode(secret, at) })).status;
    expect(await verify(now - 2 * STEP_MS)).toBe(400); // two steps behind
    expect(await verify(now + 2 * STEP_MS)).toBe(400); // two steps ahead
    expect(await verify(now - STEP_MS)).toBe(400); // the step already used to enrol
    expect(await verify(now)).toBe(200);
    expect(await verify(now)).toBe(400); // the same step again
    expect(await verify(now + STEP_MS)).toBe(200); // one step ahead
  });
});
