/** Passkeys through the user API, against the software authenticator: enrol, answer, rename, remove. */
import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { fromBase64url } from "../../src/lib/encoding";
import { userState } from "../../src/state/user";
import { adminGet, usersSync } from "../support/admin";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollPasskeyViaApi, passkeyOptions, verifyWithPasskey } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";
import { challengeFor, enrollTotpViaApi, postJson, sessionHeaders } from "../support/step-up";

const policy = (webauthn: object = { enabled: true }) =>
  aPolicy({
    enforcement: "required",
    factors: { webauthn },
    operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
  });

const api = (base: string) => `${base}/__stepgate/api`;

describe("enrolling a passkey", () => {
  it("enrols one as the first factor from the forced challenge, with backup codes and a grant for the withdrawal", async () => {
    const { base, host } = await aTenant(policy());
    const token = await aSession({ sub: "alice", sid: "s-1", email: "alice@demo.test" });
    const forced = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
    const { challengeId, factors } = await forced.json<{ challengeId: string; factors: string[] }>();
    // What the user may enrol, a passkey first.
    expect(factors).toEqual(["webauthn", "totp"]);

    const started = await postJson(`${api(base)}/enroll/webauthn`, token, {});
    expect(started.status).toBe(201);
    const { enrollmentId, publicKey } = await started.json<{ enrollmentId: string; publicKey: Record<string, any> }>();
    expect(publicKey).toMatchObject({
      rp: { id: host },
      user: { name: "alice@demo.test", displayName: "alice@demo.test" },
      pubKeyCredParams: [
        { type: "public-key", alg: -7 },
        { type: "public-key", alg: -8 },
        { type: "public-key", alg: -257 },
      ],
      excludeCredentials: [],
      authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
      attestation: "none",
    });
    // The user handle is random bytes, never the portal's user id.
    expect(fromBase64url(publicKey.user.id)).toHaveLength(32);
    expect(new TextDecoder().decode(fromBase64url(publicKey.user.id))).not.toContain("alice");
    expect(fromBase64url(publicKey.challenge)).toHaveLength(32);

    const passkey = await SoftwareCredential.create("EdDSA");
    const response = await passkey.register({ challenge: fromBase64url(publicKey.challenge), origin: base, rpId: host });
    const confirmed = await postJson(`${api(base)}/enroll/webauthn/confirm`, token, { enrollmentId, response, challengeId, name: "Work laptop" });
    expect(confirmed.status).toBe(200);
    const body = await confirmed.json<{ backupCodes: string[]; grant: string; factorId: string; name: string }>();
    expect(body.backupCodes).toHaveLength(10);
    expect(body.name).toBe("Work laptop");

    const through = await postJson(`${base}/echo/withdraw`, token, { amount: 10 }, { "StepGate-Grant": body.grant });
    expect(through.status).toBe(200);

    const me = await (await send(`${api(base)}/me`, { headers: sessionHeaders(token) })).json<{ enrolled: boolean; factors: unknown[] }>();
    expect(me.enrolled).toBe(true);
    expect(me.factors).toEqual([{ id: body.factorId, kind: "webauthn", destination: null, name: "Work laptop", passkey: { kind: "passkey", synced: false } }]);
  });

  it("refuses the response of a ceremony on another origin or relying party, and a replayed registration", async () => {
    const { base, host } = await aTenant(policy());
    const token = await aSession({ sub: "bob" });
    const passkey = await SoftwareCredential.create("ES256");
    for (const [ceremony, reason] of [
      [{ origin: "https://evil.test", rpId: host }, "wrong_origin"],
      [{ origin: base, rpId: "evil.test" }, "wrong_rp"],
    ] as const) {
      const started = await (await postJson(`${api(base)}/enroll/webauthn`, token, {})).json<{ enrollmentId: string; publicKey: { challenge: string } }>();
      const response = await passkey.register({ challenge: fromBase64url(started.publicKey.challenge), ...ceremony });
      const refused = await postJson(`${api(base)}/enroll/webauthn/confirm`, token, { enrollmentId: started.enrollmentId, response });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "webauthn_refused", reason });
      // The registration challenge is spent: the same enrolment cannot be tried again.
      const again = await postJson(`${api(base)}/enroll/webauthn/confirm`, token, { enrollmentId: started.enrollmentId, response });
      expect(again.status).toBe(404);
    }
    const me = await (await send(`${api(base)}/me`, { headers: sessionHeaders(token) })).json<{ enrolled: boolean }>();
    expect(me.enrolled).toBe(false);
  });

  it("names a malformed response or name as the field at fault, and writes nothing", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "carol" });
    const { enrollmentId } = await (await postJson(`${api(base)}/enroll/webauthn`, token, {})).json<{ enrollmentId: string }>();
    const noResponse = await postJson(`${api(base)}/enroll/webauthn/confirm`, token, { enrollmentId, response: { id: "x" } });
    expect(noResponse.status).toBe(400);
    expect(JSON.stringify(await noResponse.json())).toContain("/response");
    const passkey = await SoftwareCredential.create("ES256");
    const response = await passkey.register({ challenge: new Uint8Array(32), origin: base, rpId: "x" });
    const badName = await postJson(`${api(base)}/enroll/webauthn/confirm`, token, { enrollmentId, response, name: "pay\u202Eevil" });
    expect(badName.status).toBe(400);
    expect(JSON.stringify(await badName.json())).toContain("/name");
  });

  it("adds a second passkey only after a fresh verification, and never the same one twice", async () => {
    const { base } = await aTenant(policy());
    const first = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, await aSession({ sub: "dan", sid: "s-1" }), first);

    // Another session of the same user has not verified lately.
    const later = await aSession({ sub: "dan", sid: "s-2" });
    const refused = await postJson(`${api(base)}/enroll/webauthn`, later, {});
    expect(refused.status).toBe(401);
    const { challengeId } = await refused.json<{ challengeId: string }>();
    expect((await verifyWithPasskey(base, later, challengeId, first)).status).toBe(200);

    const started = await (await postJson(`${api(base)}/enroll/webauthn`, later, {})).json<{ publicKey: { excludeCredentials: Array<{ id: string }> } }>();
    expect(started.publicKey.excludeCredentials.map((c) => c.id)).toEqual([first.credentialId]);
    const second = await SoftwareCredential.create("RS256");
    const added = await enrollPasskeyViaApi(base, later, second);
    expect(added.backupCodes).toEqual([]);
    const me = await (await send(`${api(base)}/me`, { headers: sessionHeaders(later) })).json<{ factors: Array<{ kind: string }> }>();
    expect(me.factors.map((f) => f.kind)).toEqual(["webauthn", "webauthn"]);
  });
});

describe("answering a challenge with a passkey", () => {
  it("approves the withdrawal it was asked for, and no other", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "erin" });
    const passkey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, token, passkey);

    const small = await challengeFor(`${base}/echo/withdraw`, token, { amount: 10, to: "DE89370400440532013000" });
    const large = await challengeFor(`${base}/echo/withdraw`, token, { amount: 10000, to: "DE89370400440532013000" });
    const smallOptions = await passkeyOptions(base, token, small);
    const largeOptions = await passkeyOptions(base, token, large);
    expect(smallOptions.challenge).not.toBe(largeOptions.challenge);
    expect(smallOptions.allowCredentials.map((c) => c.id)).toEqual([passkey.credentialId]);

    // Signed for the withdrawal of 10, presented for the one of 10,000: refused, and counted.
    const signedForSmall = await passkey.assert({ challenge: fromBase64url(smallOptions.challenge), origin: base, rpId: smallOptions.rpId });
    const swapped = await postJson(`${api(base)}/challenges/${large}/verify`, token, { factor: "webauthn", response: signedForSmall });
    expect(swapped.status).toBe(400);
    expect(await swapped.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 4 });

    const verified = await postJson(`${api(base)}/challenges/${small}/verify`, token, { factor: "webauthn", response: signedForSmall });
    expect(verified.status).toBe(200);
    const { grant } = await verified.json<{ grant: string }>();
    // The grant is for that withdrawal: the large one is refused with it, the small one passes.
    const other = await postJson(`${base}/echo/withdraw`, token, { amount: 10000, to: "DE89370400440532013000" }, { "StepGate-Grant": grant });
    expect(other.status).toBe(401);
    const through = await postJson(`${base}/echo/withdraw`, token, { amount: 10, to: "DE89370400440532013000" }, { "StepGate-Grant": grant });
    expect(through.status).toBe(200);
    // The assertion was single-use: presented again, the answered challenge is gone.
    const replayed = await postJson(`${api(base)}/challenges/${small}/verify`, token, { factor: "webauthn", response: signedForSmall });
    expect(replayed.status).toBe(404);
  });

  it("refuses an assertion made on another origin or without user verification, counting each like a wrong code", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "frank" });
    const passkey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, token, passkey);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const phished = await verifyWithPasskey(base, token, challengeId, passkey, { origin: "https://portal-login.evil.test" });
    expect(await phished.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 4 });
    const unverified = await verifyWithPasskey(base, token, challengeId, passkey, { userVerified: false });
    expect(await unverified.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 3 });
    const notMine = await verifyWithPasskey(base, token, challengeId, await SoftwareCredential.create("ES256"));
    expect(await notMine.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 2 });
    expect((await verifyWithPasskey(base, token, challengeId, passkey)).status).toBe(200);
  });

  it("accepts presence alone where the policy prefers verification", async () => {
    const { base } = await aTenant(policy({ enabled: true, userVerification: "preferred" }));
    const token = await aSession({ sub: "gina" });
    const passkey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, token, passkey);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const options = await passkeyOptions(base, token, challengeId);
    expect(options).toMatchObject({ userVerification: "preferred" });
    expect((await verifyWithPasskey(base, token, challengeId, passkey, { userVerified: false })).status).toBe(200);
  });

  it("works on every host under a parent relying party ID, and refuses a policy whose rpId does not cover the host", async () => {
    const { base } = await aTenant(policy({ enabled: true, rpId: "portal.test" }));
    const token = await aSession({ sub: "hana" });
    const passkey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, token, passkey);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    expect(await passkeyOptions(base, token, challengeId)).toMatchObject({ rpId: "portal.test" });
    expect((await verifyWithPasskey(base, token, challengeId, passkey)).status).toBe(200);

    const elsewhere = await aTenant(policy({ enabled: true, rpId: "acme.test" }));
    const refused = await postJson(`${api(elsewhere.base)}/enroll/webauthn`, token, {});
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "passkeys_unavailable" });
  });

  it("offers no passkey where the policy has them off: enrolment and answers are refused, and a code factor still works", async () => {
    const { base, tenantId } = await aTenant(policy({ enabled: false }));
    const token = await aSession({ sub: "ivan" });
    const enrol = await postJson(`${api(base)}/enroll/webauthn`, token, {});
    expect(enrol.status).toBe(409);
    expect(await enrol.json()).toMatchObject({ code: "factor_disabled" });
    const forced = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
    const { challengeId, factors } = await forced.json<{ challengeId: string; factors: string[] }>();
    expect(factors).toEqual(["totp"]);
    await enrollTotpViaApi(base, token, challengeId);
    const stepUp = await challengeFor(`${base}/echo/withdraw`, token);
    const options = await send(`${api(base)}/challenges/${stepUp}/webauthn`, { headers: sessionHeaders(token) });
    expect(options.status).toBe(409);
    const response = await (await SoftwareCredential.create("ES256")).assert({ challenge: new Uint8Array(32), origin: base, rpId: "x" });
    const verify = await postJson(`${api(base)}/challenges/${stepUp}/verify`, token, { factor: "webauthn", response });
    expect(verify.status).toBe(409);
    // Refused before anything was counted.
    const attempts = await runInDurableObject(
      userState(env, tenantId, "ivan"),
      async (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit WHERE type = 'verify.failed'").one().n,
    );
    expect(attempts).toBe(0);
  });
});

describe("a user whose only factor is a passkey", () => {
  it("recovers with a backup code when the passkey is lost, once per code", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "max" });
    const { backupCodes } = await enrollPasskeyViaApi(base, token, await SoftwareCredential.create("ES256"));
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const forced = await postJson(`${base}/echo/withdraw`, token, { amount: 5 });
    expect(await forced.json()).toMatchObject({ factors: ["webauthn"] });
    const verified = await postJson(`${api(base)}/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(verified.status).toBe(200);
    const next = await challengeFor(`${base}/echo/withdraw`, token);
    const reused = await postJson(`${api(base)}/challenges/${next}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(await reused.json()).toMatchObject({ code: "invalid_code" });
  });
});

describe("managing passkeys", () => {
  it("renames a passkey, refuses names that are not plain text, and removes it so it answers nothing", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "jo" });
    const passkey = await SoftwareCredential.create("ES256");
    const { factorId } = await enrollPasskeyViaApi(base, token, passkey);
    await enrollTotpViaApi(base, token);

    const rename = (id: string, name: unknown) =>
      send(`${api(base)}/factors/${id}`, { method: "PATCH", headers: sessionHeaders(token), body: JSON.stringify({ name }) });
    expect((await rename(factorId, "  Phone  ")).status).toBe(204);
    const me = await (await send(`${api(base)}/me`, { headers: sessionHeaders(token) })).json<{ factors: Array<{ id: string; name: string | null }> }>();
    expect(me.factors.find((f) => f.id === factorId)?.name).toBe("Phone");
    for (const name of ["", "a".repeat(65), "line\nbreak", "x\u200Ey"]) {
      const refused = await rename(factorId, name);
      expect(refused.status, JSON.stringify(name)).toBe(400);
      expect(await refused.json()).toMatchObject({ code: "validation_failed", errors: [{ pointer: "#/name" }] });
    }
    expect((await rename("AAAAAAAAAAAAAAAAAAAAAA", "Phone")).status).toBe(404);
    const totpId = me.factors.find((f) => f.id !== factorId)!.id;
    expect((await rename(totpId, "App")).status).toBe(404);

    const removed = await send(`${api(base)}/factors/${factorId}`, { method: "DELETE", headers: sessionHeaders(token) });
    expect(removed.status).toBe(204);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const options = await send(`${api(base)}/challenges/${challengeId}/webauthn`, { headers: sessionHeaders(token) });
    expect(options.status).toBe(409);
    expect(await options.json()).toMatchObject({ code: "factor_not_enrolled" });
  });
});

describe("what an admin sees of passkeys", () => {
  it("lists passkey users under factor=webauthn, shows each passkey in the user's details, and audits enrolment, use, renaming and removal", async () => {
    const { base, tenantId } = await aTenant(policy());
    const kim = await aSession({ sub: "kim" });
    const passkey = await SoftwareCredential.create("ES256", { synced: true, counting: false });
    const { factorId } = await enrollPasskeyViaApi(base, kim, passkey, { name: "Kim's phone" });
    const challengeId = await challengeFor(`${base}/echo/withdraw`, kim);
    expect((await verifyWithPasskey(base, kim, challengeId, passkey)).status).toBe(200);
    await send(`${api(base)}/factors/${factorId}`, { method: "PATCH", headers: sessionHeaders(kim), body: JSON.stringify({ name: "Kim's old phone" }) });
    await enrollTotpViaApi(base, await aSession({ sub: "lee" }));
    await usersSync(tenantId, "kim", "lee");

    const admin = `${base}/__stepgate/admin/v1`;
    const listed = await adminGet<{ users: Array<{ userId: string; factors: string[] }> }>(`${admin}/users?factor=webauthn`);
    expect(listed.users.map((u) => [u.userId, u.factors])).toEqual([["kim", ["webauthn"]]]);
    const details = await adminGet<{ factors: unknown[] }>(`${admin}/users/kim`);
    expect(details.factors).toEqual([
      expect.objectContaining({
        id: factorId,
        kind: "webauthn",
        name: "Kim's old phone",
        passkey: { kind: "passkey", synced: true },
        lastUsedAt: expect.any(String),
      }),
    ]);

    expect((await send(`${api(base)}/factors/${factorId}`, { method: "DELETE", headers: sessionHeaders(kim) })).status).toBe(409);
    await enrollTotpViaApi(base, kim);
    expect((await send(`${api(base)}/factors/${factorId}`, { method: "DELETE", headers: sessionHeaders(kim) })).status).toBe(204);
    await usersSync(tenantId, "kim");
    const audit = await adminGet<{ entries: Array<{ type: string; detail: Record<string, unknown> }> }>(`${admin}/audit?user=kim`);
    const passkeyEvents = audit.entries
      .filter((e) => e.detail.factor === "webauthn")
      .map((e) => e.type)
      .reverse();
    expect(passkeyEvents).toEqual(["factor.enrolled", "verify.ok", "factor.renamed", "factor.removed"]);
  });
});
