/**
 * Enumeration: an unknown challenge, another user's or another session's challenge, and an
 * expired one all get the same answer, so probing ids tells an attacker nothing.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const policy = () => aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });

describe("enumeration", () => {
  it("answers unknown, other users' and other sessions' challenges alike, for reading, sending and verifying", async () => {
    const { base } = await aTenant(policy());
    const victim = await aSession({ sub: "vic", sid: "v-1" });
    await enrollTotpViaApi(base, victim);
    const { challengeId } = await (await postJson(`${base}/echo/withdraw`, victim, { amount: 1 })).json<{ challengeId: string }>();
    const attacker = await aSession({ sub: "att", sid: "a-1" });
    await enrollTotpViaApi(base, attacker);
    const victimOtherSession = await aSession({ sub: "vic", sid: "v-2" });
    const unknown = "Q".repeat(22);

    const answers = async (token: string, id: string) => {
      const read = await send(`${base}/__stepgate/api/challenges/${id}`, { headers: { Cookie: `portal_session=${token}` } });
      const verify = await postJson(`${base}/__stepgate/api/challenges/${id}/verify`, token, { factor: "totp", code: "123456" });
      return [read.status, await read.text(), verify.status, await verify.text()];
    };
    const baseline = await answers(attacker, unknown);
    expect(baseline[0]).toBe(404);
    expect(await answers(attacker, challengeId)).toEqual(baseline);
    expect(await answers(victimOtherSession, challengeId)).toEqual(baseline);
    expect(await answers(victimOtherSession, unknown)).toEqual(baseline);
  });

  it("gives a wrong code the same answer whether or not the code was close", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "wes" });
    await enrollTotpViaApi(base, token);
    const { challengeId } = await (await postJson(`${base}/echo/withdraw`, token, { amount: 1 })).json<{ challengeId: string }>();
    const first = await (await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "totp", code: "000000" })).json<
      Record<string, unknown>
    >();
    const second = await (await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "totp", code: "999999" })).json<
      Record<string, unknown>
    >();
    expect(Object.keys(first).sort()).toEqual(Object.keys(second).sort());
    expect({ ...first, attemptsRemaining: 0 }).toEqual({ ...second, attemptsRemaining: 0 });
  });
});
