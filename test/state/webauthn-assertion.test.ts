/**
 * Answering a challenge with a passkey in the user's Durable Object: the assertion is bound to
 * the challenge and the request it holds, checked against an active credential and its counter,
 * counted toward the lockout when refused, and completes the challenge exactly once.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bindingChallenge } from "../../src/factors/webauthn-challenge";
import type { UserState, VerifyOutcome } from "../../src/state/user";
import type { UserContext } from "../../src/state/user/context";
import { answerWithWebAuthn } from "../../src/state/user/webauthn-answers";
import {
  aChallenge,
  answer,
  answerWithPasskey,
  anEnrolledUser,
  auditTrail,
  CEREMONY,
  enrol,
  LOCKOUT,
  ORIGIN,
  PAGE_ORIGIN,
  RP_ID,
  requestChallenge,
  WEBAUTHN,
} from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";

const TEN = "d".repeat(63).concat("1");
const TEN_THOUSAND = "d".repeat(63).concat("2");

describe("answering a challenge with a passkey", () => {
  it("completes the challenge with the grant bound to its request, notes the counter, and audits the verification", async () => {
    const { user, passkey } = await anEnrolledUser();
    const challengeId = await aChallenge(user, "s1", TEN);
    const outcome = await answerWithPasskey(user, passkey, challengeId, "s1");
    expect(outcome).toMatchObject({ ok: true, operation: "withdraw", digest: TEN, held: false });
    expect(await user.describeChallenge(challengeId, "s1")).toBeNull();
    const counter = await runInDurableObject(user, (_instance, state) => state.storage.sql.exec("SELECT sign_count FROM factors").one().sign_count);
    expect(counter).toBe(2);
    expect((await auditTrail(user)).at(-1)).toEqual({ type: "verify.ok", detail: { factor: "webauthn", operation: "withdraw" } });
    // The challenge completes once: the same passkey cannot answer it again.
    expect(await answerWithPasskey(user, passkey, challengeId, "s1").catch(() => "no options")).toBe("no options");
  });

  it("lists the user's credentials for the browser and binds the challenge to the challenge id and digest", async () => {
    const { user, passkey } = await anEnrolledUser();
    const challengeId = await aChallenge(user, "s1", TEN);
    const request = await user.webAuthnRequest(challengeId, "s1");
    expect(request).toEqual({
      ok: true,
      challenge: await bindingChallenge(challengeId, TEN),
      allow: [{ id: passkey.credentialId, transports: ["internal", "hybrid"] }],
    });
    expect(await user.webAuthnRequest(challengeId, "another-session")).toEqual({ ok: false, error: "challenge_not_found" });
  });

  it("refuses an assertion made for challenge A when presented on challenge B", async () => {
    const { user, passkey } = await anEnrolledUser();
    const a = await aChallenge(user, "s1", TEN);
    const b = await aChallenge(user, "s1", TEN);
    const forA = await passkey.assert({ challenge: await requestChallenge(user, a, "s1"), origin: PAGE_ORIGIN, rpId: RP_ID });
    expect(await answer(user, b, "s1", forA)).toEqual({ ok: false, error: "invalid_code", attemptsRemaining: LOCKOUT.maxAttempts - 1 });
    expect((await auditTrail(user)).at(-1)?.detail).toMatchObject({ factor: "webauthn", reason: "wrong_challenge" });
    expect(await user.describeChallenge(b, "s1")).not.toBeNull();
  });

  it("refuses, on a withdrawal of 10,000, an assertion signed over the digest of a withdrawal of 10", async () => {
    const { user, passkey } = await anEnrolledUser();
    const large = await aChallenge(user, "s1", TEN_THOUSAND);
    // The page was shown the withdrawal of 10 but the held request is the 10,000 one: the signature covers the 10.
    const overTen = await passkey.assert({ challenge: await bindingChallenge(large, TEN), origin: PAGE_ORIGIN, rpId: RP_ID });
    expect(await answer(user, large, "s1", overTen)).toMatchObject({ ok: false, error: "invalid_code" });
    expect((await auditTrail(user)).at(-1)?.detail).toMatchObject({ reason: "wrong_challenge" });
    expect(await answerWithPasskey(user, passkey, large, "s1")).toMatchObject({ ok: true, digest: TEN_THOUSAND });
  });

  it("refuses a counter that goes backwards and audits it as a possible clone", async () => {
    const { user, passkey } = await anEnrolledUser();
    expect((await answerWithPasskey(user, passkey, await aChallenge(user, "s1"), "s1")).ok).toBe(true);
    passkey.counter = 0; // a copy of the key that has signed less than the original
    const challengeId = await aChallenge(user, "s1");
    expect(await answerWithPasskey(user, passkey, challengeId, "s1")).toMatchObject({ ok: false, error: "invalid_code" });
    const trail = await auditTrail(user);
    expect(trail.map((entry) => entry.type).slice(-2)).toEqual(["webauthn.counter_regressed", "verify.failed"]);
    expect(trail.at(-1)?.detail).toMatchObject({ factor: "webauthn", reason: "counter_regressed" });
    expect(await user.describeChallenge(challengeId, "s1")).not.toBeNull();
  });

  it("accepts an authenticator that keeps no counter (always 0)", async () => {
    const { user, passkey } = await anEnrolledUser({ counting: false });
    for (const session of ["s1", "s2"]) expect((await answerWithPasskey(user, passkey, await aChallenge(user, session), session)).ok).toBe(true);
  });

  it("refuses an unknown credential and a removed one", async () => {
    const { user, passkey } = await anEnrolledUser();
    const stranger = await SoftwareCredential.create("ES256");
    const challengeId = await aChallenge(user, "s0");
    expect(await answerWithPasskey(user, stranger, challengeId, "s0")).toMatchObject({ ok: false, error: "invalid_code" });
    expect((await auditTrail(user)).at(-1)?.detail).toMatchObject({ reason: "unknown_credential" });
    const second = await SoftwareCredential.create("EdDSA");
    const enrolled = await enrol(user, "s0", second);
    if (!enrolled.ok) throw new Error("not enrolled");
    const removed = await user.removeFactor({ factorId: (await user.status()).factors[0]!.id, sessionId: "s0", mayRemoveLast: false, origin: ORIGIN });
    expect(removed).toEqual({ ok: true });
    expect(await answerWithPasskey(user, passkey, challengeId, "s0")).toMatchObject({ ok: false, error: "invalid_code" });
    expect((await user.webAuthnRequest(challengeId, "s0")).ok && (await user.webAuthnRequest(challengeId, "s0"))).toMatchObject({
      allow: [{ id: second.credentialId }],
    });
    expect((await answerWithPasskey(user, second, challengeId, "s0")).ok).toBe(true);
  });

  it("counts refused assertions toward the lockout like wrong codes", async () => {
    const { user, passkey } = await anEnrolledUser();
    const challengeId = await aChallenge(user, "s1");
    const wrongOrigin = async () =>
      answer(
        user,
        challengeId,
        "s1",
        await passkey.assert({ challenge: await requestChallenge(user, challengeId, "s1"), origin: "https://evil.example", rpId: RP_ID }),
      );
    const outcomes: VerifyOutcome[] = [];
    for (let i = 0; i < LOCKOUT.maxAttempts; i++) outcomes.push(await wrongOrigin());
    expect(outcomes.at(-1)).toEqual({ ok: false, error: "invalid_code", attemptsRemaining: 0 });
    expect(await answerWithPasskey(user, passkey, challengeId, "s1")).toMatchObject({ ok: false, error: "locked" });
    expect((await auditTrail(user)).map((entry) => entry.type)).toContain("lockout.started");
  });

  it("accepts exactly one of two assertions racing for the same challenge", async () => {
    const { user, passkey } = await anEnrolledUser();
    const challengeId = await aChallenge(user, "s1", TEN);
    const challenge = await requestChallenge(user, challengeId, "s1");
    const first = await passkey.assert({ challenge, origin: PAGE_ORIGIN, rpId: RP_ID });
    const second = await passkey.assert({ challenge, origin: PAGE_ORIGIN, rpId: RP_ID });
    // Both calls start in one event, so both are parked at the signature check together.
    const outcomes = await runInDurableObject(user, (instance: UserState) => {
      const context = (instance as unknown as { context(): UserContext }).context();
      const input = { challengeId, sessionId: "s1", ceremony: CEREMONY, settings: { webauthn: WEBAUTHN, lockout: LOCKOUT }, origin: ORIGIN };
      return Promise.all([answerWithWebAuthn(context, { ...input, response: second }), answerWithWebAuthn(context, { ...input, response: first })]);
    });
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, error: "challenge_not_found" });
    expect((await auditTrail(user)).map((entry) => entry.type)).not.toContain("webauthn.counter_regressed");
  });
});
