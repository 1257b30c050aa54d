import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState, type UserState } from "../../src/state/user";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { challengeFor, enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode, wrongCode } from "../support/totp";

/**
 * Through the worker, parallel requests rarely interleave inside a Durable Object: WebCrypto
 * resolves before the next event is let in. These tests make the interleaving certain by
 * slowing the code check down in the live object, so every racing request is parked at that
 * await at the same time — exactly the window a slower machine would open.
 */
async function slowCodeChecks(tenantId: string, userId: string): Promise<void> {
  await runInDurableObject(userState(env, tenantId, userId), async (instance: UserState) => {
    const target = instance as unknown as { matchAnswer: (...args: unknown[]) => Promise<unknown> };
    const original = target.matchAnswer.bind(instance);
    target.matchAnswer = async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return original(...args);
    };
  });
}

const policy = () => aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });

describe("races inside the user's Durable Object", () => {
  it("counts at most maxAttempts of twenty wrong codes checked at the same time", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "racer" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    await slowCodeChecks(tenantId, "racer");
    const wrong = wrongCode(secret, enrolledAt + 30_000);
    const statuses = (await Promise.all(Array.from({ length: 20 }, () => verify(base, token, challengeId, "totp", wrong)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("accepts a code once when the same code is checked by parallel requests", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "replayer" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const ids = await Promise.all(Array.from({ length: 4 }, () => challengeFor(`${base}/echo/withdraw`, token)));
    await slowCodeChecks(tenantId, "replayer");
    const code = totpCode(secret, enrolledAt + 30_000);
    const statuses = (await Promise.all(ids.map((id) => verify(base, token, id, "totp", code)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });

  it("uses a backup code once when parallel requests present it", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "backup-racer" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const ids = await Promise.all(Array.from({ length: 4 }, () => challengeFor(`${base}/echo/withdraw`, token)));
    await slowCodeChecks(tenantId, "backup-racer");
    const statuses = (await Promise.all(ids.map((id) => verify(base, token, id, "backup_code", backupCodes[0]!)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });
});
