import { describe, expect, it } from "vitest";
import { type KnownCredential, verifyAssertion, verifyRegistration } from "../../src/factors/webauthn";
import { bindingChallenge } from "../../src/factors/webauthn-challenge";
import { type Algorithm, SoftwareCredential } from "../support/software-authenticator";

const ORIGIN = "https://portal.acme.test";
const RP_ID = "acme.test";
const ALL: Algorithm[] = ["ES256", "EdDSA", "RS256"];
const YUBIKEY_5 = Uint8Array.from([0xee, 0x88, 0x28, 0x79, 0x72, 0x1c, 0x49, 0x13, 0x97, 0x75, 0x3d, 0xfc, 0xce, 0x97, 0x07, 0x2a]);

const aChallenge = () => crypto.getRandomValues(new Uint8Array(32));

/** Registers `authenticator` the way a user would and returns what stepgate would store. */
async function enrolled(authenticator: SoftwareCredential): Promise<KnownCredential> {
  const challenge = aChallenge();
  const verdict = await verifyRegistration(await authenticator.register({ challenge, origin: ORIGIN, rpId: RP_ID }), {
    challenge,
    origin: ORIGIN,
    rpId: RP_ID,
    userVerification: "required",
    algorithms: ALL,
  });
  if (!verdict.ok) throw new Error(`registration refused: ${verdict.reason}`);
  return verdict.credential;
}

const expectedFor = (credential: KnownCredential, challenge: Uint8Array) =>
  ({ challenge, origin: ORIGIN, rpId: RP_ID, userVerification: "required", credential }) as const;

describe("enrolling a passkey", () => {
  it.each(["ES256", "EdDSA", "RS256"] as const)("accepts a %s credential and returns what is stored", async (algorithm) => {
    const authenticator = await SoftwareCredential.create(algorithm, { aaguid: YUBIKEY_5 });
    const challenge = aChallenge();
    const response = await authenticator.register({ challenge, origin: ORIGIN, rpId: RP_ID }, ["usb", "nfc", "carrier-pigeon"]);
    const verdict = await verifyRegistration(response, { challenge, origin: ORIGIN, rpId: RP_ID, userVerification: "required", algorithms: ALL });
    expect(verdict).toMatchObject({
      ok: true,
      credential: {
        credentialId: authenticator.credentialId,
        algorithm,
        counter: 1,
        aaguid: "ee882879-721c-4913-9775-3dfcce97072a",
        backupEligible: false,
        backedUp: false,
        transports: ["usb", "nfc"],
      },
    });
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
  });

  it("reports a synced passkey as backed up", async () => {
    const verdict = await verifyRegistration(
      await (await SoftwareCredential.create("ES256", { synced: true, counting: false })).register({
        challenge: new Uint8Array(16),
        origin: ORIGIN,
        rpId: RP_ID,
      }),
      { challenge: new Uint8Array(16), origin: ORIGIN, rpId: RP_ID, userVerification: "required", algorithms: ALL },
    );
    expect(verdict).toMatchObject({ ok: true, credential: { backupEligible: true, backedUp: true, counter: 0 } });
  });

  it("refuses an algorithm the policy does not allow", async () => {
    const challenge = aChallenge();
    const response = await (await SoftwareCredential.create("RS256")).register({ challenge, origin: ORIGIN, rpId: RP_ID });
    const verdict = await verifyRegistration(response, {
      challenge,
      origin: ORIGIN,
      rpId: RP_ID,
      userVerification: "required",
      algorithms: ["ES256", "EdDSA"],
    });
    expect(verdict).toEqual({ ok: false, reason: "unknown_algorithm" });
  });

  it("refuses the wrong origin, RP, challenge or ceremony type, and a missing user verification", async () => {
    const authenticator = await SoftwareCredential.create("ES256");
    const challenge = aChallenge();
    const expected = { challenge, origin: ORIGIN, rpId: RP_ID, userVerification: "required", algorithms: ALL } as const;
    const register = (changes: object) => authenticator.register({ challenge, origin: ORIGIN, rpId: RP_ID, ...changes });
    expect(await verifyRegistration(await register({ origin: "https://portal.acme.test.evil.example" }), expected)).toEqual({
      ok: false,
      reason: "wrong_origin",
    });
    expect(await verifyRegistration(await register({ rpId: "evil.example" }), expected)).toEqual({ ok: false, reason: "wrong_rp" });
    expect(await verifyRegistration(await register({ challenge: aChallenge() }), expected)).toEqual({ ok: false, reason: "wrong_challenge" });
    expect(await verifyRegistration(await register({ type: "webauthn.get" }), expected)).toEqual({ ok: false, reason: "wrong_type" });
    expect(await verifyRegistration(await register({ userVerified: false }), expected)).toEqual({ ok: false, reason: "user_verification_missing" });
    expect(await verifyRegistration({ id: "x", rawId: "y", type: "public-key", response: {} }, expected)).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("verifying with a passkey", () => {
  it.each(["ES256", "EdDSA", "RS256"] as const)("accepts a %s assertion and returns the new counter", async (algorithm) => {
    const authenticator = await SoftwareCredential.create(algorithm);
    const credential = await enrolled(authenticator);
    const challenge = aChallenge();
    const verdict = await verifyAssertion(await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID }), expectedFor(credential, challenge));
    expect(verdict).toEqual({ ok: true, newCounter: 2, userVerified: true, backedUp: false });
  });

  it("refuses an assertion from another origin or for another RP ID", async () => {
    const authenticator = await SoftwareCredential.create("ES256");
    const credential = await enrolled(authenticator);
    const challenge = aChallenge();
    const phished = await authenticator.assert({ challenge, origin: "https://acme-test.evil.example", rpId: RP_ID });
    expect(await verifyAssertion(phished, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "wrong_origin" });
    const framed = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID, crossOrigin: true });
    expect(await verifyAssertion(framed, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "wrong_origin" });
    const otherRp = await authenticator.assert({ challenge, origin: ORIGIN, rpId: "portal.acme.test" });
    expect(await verifyAssertion(otherRp, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "wrong_rp" });
  });

  it("refuses an assertion for challenge A used on challenge B", async () => {
    const authenticator = await SoftwareCredential.create("EdDSA");
    const credential = await enrolled(authenticator);
    const [a, b] = [await bindingChallenge("AAAAAAAAAAAAAAAAAAAAAA", null), await bindingChallenge("BBBBBBBBBBBBBBBBBBBBBB", null)];
    const forA = await authenticator.assert({ challenge: a, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(forA, expectedFor(credential, b))).toEqual({ ok: false, reason: "wrong_challenge" });
    expect(await verifyAssertion(forA, expectedFor(credential, a))).toMatchObject({ ok: true });
  });

  it("refuses an assertion for a withdrawal of 10 checked against the same challenge's withdrawal of 10,000", async () => {
    const digestOf = async (body: string) =>
      [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const challengeId = "q3Zp0J7x2mB1cX9vKkQ4Ww";
    const ten = await bindingChallenge(challengeId, await digestOf('POST /api/withdraw {"amount":10}'));
    const tenThousand = await bindingChallenge(challengeId, await digestOf('POST /api/withdraw {"amount":10000}'));
    expect(ten).not.toEqual(tenThousand);
    expect(ten).toEqual(await bindingChallenge(challengeId, await digestOf('POST /api/withdraw {"amount":10}')));
    const authenticator = await SoftwareCredential.create("ES256");
    const credential = await enrolled(authenticator);
    const signedForTen = await authenticator.assert({ challenge: ten, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(signedForTen, expectedFor(credential, tenThousand))).toEqual({ ok: false, reason: "wrong_challenge" });
    expect(await verifyAssertion(signedForTen, expectedFor(credential, ten))).toMatchObject({ ok: true });
  });

  it("refuses a counter that does not move forward (a cloned key), and allows authenticators that keep none", async () => {
    const authenticator = await SoftwareCredential.create("ES256");
    const credential = { ...(await enrolled(authenticator)), counter: 7 };
    authenticator.counter = 6;
    const challenge = aChallenge();
    const seven = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(seven, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "counter_regressed" });
    const eight = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(eight, expectedFor(credential, challenge))).toMatchObject({ ok: true, newCounter: 8 });
    authenticator.counter = -1;
    const zero = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(zero, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "counter_regressed" });

    const passkey = await SoftwareCredential.create("EdDSA", { synced: true, counting: false });
    const synced = await enrolled(passkey);
    expect(synced.counter).toBe(0);
    const again = await passkey.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    expect(await verifyAssertion(again, expectedFor(synced, challenge))).toEqual({ ok: true, newCounter: 0, userVerified: true, backedUp: true });
  });

  it("refuses a missing user verification when required, allows it when preferred, and never allows a missing presence", async () => {
    const authenticator = await SoftwareCredential.create("ES256");
    const credential = await enrolled(authenticator);
    const challenge = aChallenge();
    const presenceOnly = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID, userVerified: false });
    expect(await verifyAssertion(presenceOnly, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "user_verification_missing" });
    expect(await verifyAssertion(presenceOnly, { ...expectedFor(credential, challenge), userVerification: "preferred" })).toMatchObject({
      ok: true,
      userVerified: false,
    });
    const nobody = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID, userPresent: false });
    expect(await verifyAssertion(nobody, { ...expectedFor(credential, challenge), userVerification: "discouraged" })).toEqual({
      ok: false,
      reason: "user_presence_missing",
    });
  });

  it("refuses a signature by another key, a tampered one, and another credential's id", async () => {
    const authenticator = await SoftwareCredential.create("ES256");
    const credential = await enrolled(authenticator);
    const impostor = await SoftwareCredential.create("ES256");
    await enrolled(impostor);
    const challenge = aChallenge();
    const forged = await impostor.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    const asVictim = { ...forged, id: credential.credentialId, rawId: credential.credentialId };
    expect(await verifyAssertion(asVictim, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyAssertion(forged, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "unknown_credential" });
    const genuine = await authenticator.assert({ challenge, origin: ORIGIN, rpId: RP_ID });
    const tampered = { ...genuine, response: { ...genuine.response, signature: `${genuine.response.signature!.slice(0, -4)}AAAA` } };
    expect(await verifyAssertion(tampered, expectedFor(credential, challenge))).toEqual({ ok: false, reason: "bad_signature" });
  });
});
