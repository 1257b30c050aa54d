/**
 * Faults in stepgate's own state: a user's Durable Object that throws. The answer is a clear,
 * retry-safe 503, no grant is issued, and the same request succeeds once the object is back.
 */
import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const policy = () => aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });

/**
 * Makes one of the object's internal steps throw (RPC entry points cannot be replaced on the
 * instance, the steps they call can), and returns the repair.
 */
async function breakMethod(tenantId: string, userId: string, method: string): Promise<() => Promise<void>> {
  const stub = userState(env, tenantId, userId);
  await runInDurableObject(stub, (instance) => {
    Object.assign(instance, {
      // Thrown at once (not a rejected promise): it stands in for sync and async steps alike.
      [method]: () => {
        throw new Error("storage unavailable");
      },
    });
  });
  return async () => {
    await runInDurableObject(stub, (instance) => {
      delete (instance as unknown as Record<string, unknown>)[method];
    });
  };
}

describe("a user's Durable Object failing", () => {
  it("answers a verification with a retry-safe 503 and no grant, then verifies on retry", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "ola" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await (await postJson(`${base}/echo/withdraw`, token, { amount: 1 })).json<{ challengeId: string }>();
    const repair = await breakMethod(tenantId, "ola", "matchAnswer");
    const errors = expectErrorLogs();
    const failed = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ code: "state_unavailable" });
    expect(failed.headers.getSetCookie()).toEqual([]);
    expect(errors).toHaveBeenCalledWith("stepgate: state unavailable", expect.objectContaining({ message: "storage unavailable" }));
    await repair();
    const retried = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(retried.status).toBe(200);
  });

  it("stops a protected request with a 503 (never lets it through) when the object cannot say whether the user is enrolled", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "pim" });
    await enrollTotpViaApi(base, token);
    const repair = await breakMethod(tenantId, "pim", "applyEnrollmentEpoch");
    const errors = expectErrorLogs();
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 1 });
    expect(stopped.status).toBe(503);
    expect(errors).toHaveBeenCalledWith("stepgate: state unavailable", expect.objectContaining({ message: "storage unavailable" }));
    await repair();
    expect((await postJson(`${base}/echo/withdraw`, token, { amount: 1 })).status).toBe(401);
  });

  it("refuses a single-use grant it cannot spend, rather than letting it through twice", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "quo" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await (await postJson(`${base}/echo/withdraw`, token, { amount: 1 })).json<{ challengeId: string }>();
    const { grant } = await (
      await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] })
    ).json<{ grant: string }>();
    const repair = await breakMethod(tenantId, "quo", "grantSpent");
    const errors = expectErrorLogs();
    const refused = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json", "StepGate-Grant": grant },
      body: JSON.stringify({ amount: 1 }),
    });
    expect(refused.status).not.toBe(200);
    expect(errors).toHaveBeenCalledWith("stepgate: state unavailable", expect.objectContaining({ message: "storage unavailable" }));
    await repair();
    const through = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "Content-Type": "application/json", "StepGate-Grant": grant },
      body: JSON.stringify({ amount: 1 }),
    });
    expect(through.status).toBe(200);
  });
});
