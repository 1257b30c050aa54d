/**
 * Credential stuffing: an attacker holding many users' portal sessions guesses codes for all of
 * them from one network. Each user's lockout holds on its own; the tenant's per-IP limit
 * (`lockout.perIpPerHour`) bounds the guesses from one IP across users, even sent in parallel,
 * while other networks and the users themselves are unaffected, and right answers never count.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const PER_IP = 8;
const USERS = 6;
const ATTACKER = { "CF-Connecting-IP": "203.0.113.66" };

const aTenantLimitingIps = () =>
  aTenant(
    aPolicy({
      operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
      lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour: PER_IP },
    }),
  );

async function aChallenge(base: string, token: string): Promise<string> {
  return (await (await postJson(`${base}/echo/withdraw`, token, { amount: 1 })).json<{ challengeId: string }>()).challengeId;
}

describe("credential stuffing from one IP across users", () => {
  it(`lets ${PER_IP} of ${USERS * 3} parallel wrong answers over ${USERS} users through, refuses the rest with 429, and only for that IP`, async () => {
    const { base } = await aTenantLimitingIps();
    const victims = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const token = await aSession({ sub: `victim-${i}`, sid: `v${i}` });
        const enrolled = await enrollTotpViaApi(base, token);
        return { token, enrolled, challenge: await aChallenge(base, token) };
      }),
    );
    const guesses = victims.flatMap((v) =>
      [0, 1, 2].map((k) =>
        postJson(`${base}/__stepgate/api/challenges/${v.challenge}/verify`, v.token, { factor: "backup_code", code: `zzzz-${k}${k}${k}${k}` }, ATTACKER),
      ),
    );
    const answers = await Promise.all(guesses);
    const codes = await Promise.all(answers.map(async (r) => (await r.json<{ code: string }>()).code));
    expect(codes.filter((c) => c === "invalid_code")).toHaveLength(PER_IP);
    expect(codes.filter((c) => c === "ip_rate_limited")).toHaveLength(USERS * 3 - PER_IP);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(3500);

    // Even the right answer is refused from that network: the limit does not say which guesses were close.
    const victim = victims[0]!;
    const fromAttacker = await postJson(
      `${base}/__stepgate/api/challenges/${victim.challenge}/verify`,
      victim.token,
      { factor: "backup_code", code: victim.enrolled.backupCodes[0] },
      ATTACKER,
    );
    expect(fromAttacker.status).toBe(429);
    // The user, from their own network, still gets in with it.
    const fromHome = await postJson(
      `${base}/__stepgate/api/challenges/${victim.challenge}/verify`,
      victim.token,
      { factor: "backup_code", code: victim.enrolled.backupCodes[0] },
      { "CF-Connecting-IP": "198.51.100.20" },
    );
    expect(fromHome.status).toBe(200);
  });

  it("does not count right answers: one office IP verifying many times is never limited", async () => {
    const { base } = await aTenantLimitingIps();
    const office = { "CF-Connecting-IP": "192.0.2.10" };
    const token = await aSession({ sub: "clerk", sid: "c1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    for (const code of backupCodes) {
      const answered = await postJson(
        `${base}/__stepgate/api/challenges/${await aChallenge(base, token)}/verify`,
        token,
        { factor: "backup_code", code },
        office,
      );
      expect(answered.status).toBe(200);
    }
    expect(backupCodes.length).toBeGreaterThan(PER_IP);
  });
});
