/**
 * Brute force: wrong answers sent in parallel, spread over several challenges and factors,
 * are counted together in the user's object and never exceed the lockout limit.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const MAX_ATTEMPTS = 5;
const PARALLEL = 40;

describe("brute force", () => {
  it(`counts ${PARALLEL} parallel wrong answers over 4 challenges and 2 factors at most ${MAX_ATTEMPTS} times`, async () => {
    const { base } = await aTenant(
      aPolicy({
        operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
        lockout: { maxAttempts: MAX_ATTEMPTS, windowSeconds: 900, lockSeconds: 900 },
      }),
    );
    const token = await aSession({ sub: "bru" });
    await enrollTotpViaApi(base, token);
    const challenges: string[] = [];
    for (let i = 0; i < 4; i++)
      challenges.push((await (await postJson(`${base}/echo/withdraw`, token, { amount: i })).json<{ challengeId: string }>()).challengeId);
    const attempts = Array.from({ length: PARALLEL }, (_, i) =>
      postJson(
        `${base}/__stepgate/api/challenges/${challenges[i % 4]}/verify`,
        token,
        i % 2 === 0 ? { factor: "totp", code: String(100000 + i) } : { factor: "backup_code", code: `aaaa-${String(i).padStart(4, "0")}` },
      ),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(MAX_ATTEMPTS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(PARALLEL - MAX_ATTEMPTS);
  });
});
