import { describe, expect, it } from "vitest";
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { ASSURANCE_TYPE, assuranceClaims, signedAssurance } from "../../src/gate/assurance";
import { app } from "../../src/index";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { lastCodeTo, timePasses } from "../support/outbox";
import { enrollPasskeyViaApi, verifyWithPasskey } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";
import { challengeFor, enrollTotpViaApi, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const PHONE = "+14155552671";
const EMAIL = "ana@demo.test";
const policy = (overrides: object = {}) =>
  aPolicy({
    factors: { sms: { enabled: true }, email: { enabled: true }, webauthn: { enabled: true } },
    trustedDevices: { enabled: true },
    operations: {
      login: { routes: ["GET /echo/app/*"], maxAge: 3600 },
      // Bound to the request by default, and labelled for the origin.
      withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, acr: "urn:acme:payments" },
    },
    ...overrides,
  });

interface Echo {
  headers: Record<string, string>;
  body: string;
}

/** The key set the worker publishes for the tenant at `base`, fetched from the worker. */
async function publishedKeys(base: string) {
  const response = await send(`${base}/__stepgate/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return response.json<{ keys: Array<Record<string, string>> }>();
}

/** The assurance the origin received in `echo`, verified as an origin would: signature by the published keys, issuer, audience, type. */
async function verifiedAssurance(base: string, echo: Echo, currentDate?: Date): Promise<JWTPayload> {
  const token = echo.headers["stepgate-assurance"];
  expect(token, "an assurance reached the origin").toBeDefined();
  const { payload } = await jwtVerify(token!, createLocalJWKSet(await publishedKeys(base)), {
    algorithms: ["ES256"],
    issuer: `${base}/__stepgate`,
    audience: env.TEST_ORIGIN,
    typ: ASSURANCE_TYPE,
    ...(currentDate ? { currentDate } : {}),
  });
  return payload;
}

const grantPayload = (grant: string) => decodeJwt(grant) as JWTPayload & { rd?: string };
const seconds = (ms: number) => Math.floor(ms / 1000);

/** Withdraws `body` with a grant earned by `answer` (which answers the challenge the first try opened); returns what the origin received. */
async function withdrawWith(base: string, token: string, answer: (challengeId: string) => Promise<Response>, body: unknown = { amount: 10 }) {
  const challengeId = await challengeFor(`${base}/echo/withdraw`, token, body);
  const before = Date.now();
  const verified = await answer(challengeId);
  expect(verified.status).toBe(200);
  const { grant } = await verified.json<{ grant: string }>();
  const through = await postJson(`${base}/echo/withdraw`, token, body, { "StepGate-Grant": grant });
  expect(through.status).toBe(200);
  return { echo: await through.json<Echo>(), grant, before, after: Date.now() };
}

describe("the assurance on a pass-through request", () => {
  it("verifies against the tenant's published keys and names no one and no step-up", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/echo/public?x=1`);
    expect(response.status).toBe(200);
    const echo = await response.json<Echo>();
    const payload = await verifiedAssurance(base, echo);
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "jti"]);
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(payload.jti).toMatch(/^[\w-]{22}$/);
  });

  it("publishes every configured key, the signing one first, cacheable, and no private part", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/__stepgate/.well-known/jwks.json`);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    const { keys } = await response.json<{ keys: Array<Record<string, string>> }>();
    // vitest.config.ts configures two keys, t2 then t1.
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    expect(keys.map((key) => key.alg)).toEqual(["ES256", "ES256"]);
    const echo = await (await send(`${base}/echo/public`)).json<Echo>();
    expect(decodeProtectedHeader(echo.headers["stepgate-assurance"]!).kid).toBe(keys[0]!.kid);
  });

  it("signs each tenant with its own keys: one tenant's assurance does not verify with another's key set", async () => {
    const first = await aTenant(policy());
    const second = await aTenant(policy());
    const echo = await (await send(`${first.base}/echo/public`)).json<Echo>();
    const [mine, theirs] = await Promise.all([publishedKeys(first.base), publishedKeys(second.base)]);
    expect(mine.keys.map((key) => key.kid)).not.toContain(theirs.keys[0]!.kid);
    await expect(jwtVerify(echo.headers["stepgate-assurance"]!, createLocalJWKSet(theirs))).rejects.toThrow();
  });

  it("is sent again for a few seconds to requests it describes alike, and carries a tenant's invalid policy's pass-through too", async () => {
    const { base } = await aTenant(policy());
    const tokens = await Promise.all([1, 2, 3].map(async (i) => (await (await send(`${base}/echo/p${i}`)).json<Echo>()).headers["stepgate-assurance"]));
    expect(new Set(tokens).size).toBe(1);

    const broken = await aTenant(JSON.stringify({ ...policy(), enforcement: "sometimes" }));
    const passed = await send(`${broken.base}/echo/public`);
    expect(passed.status).toBe(200);
    const payload = await verifiedAssurance(broken.base, await passed.json<Echo>());
    expect(payload.sub).toBeUndefined();
  });
});

describe("how the user stepped up, as the assurance of a withdrawal says", () => {
  it("says an authenticator app (otp) and when, with the operation's acr and the grant's request digest", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "ana", sid: "s-ana" });
    const { secret } = await enrollTotpViaApi(base, token);
    const { echo, grant, before, after } = await withdrawWith(base, token, (id) => verify(base, token, id, "totp", totpCode(secret, Date.now() + 30_000)));
    const payload = await verifiedAssurance(base, echo);
    expect(payload).toMatchObject({ sub: "ana", sid: "s-ana", op: "withdraw", amr: ["otp", "mfa"], acr: "urn:acme:payments" });
    expect(payload.auth_time).toBeGreaterThanOrEqual(seconds(before));
    expect(payload.auth_time).toBeLessThanOrEqual(seconds(after));
    expect(payload.rd).toMatch(/^[0-9a-f]{64}$/);
    expect(payload.rd).toBe(grantPayload(grant).rd);
  });

  it("says sms for a texted code and mail for an emailed one", async () => {
    const { base, tenantId } = await aTenant(policy());
    for (const [factor, address, amr] of [
      ["sms", PHONE, ["sms", "mfa"]],
      ["email", EMAIL, ["mail", "mfa"]],
    ] as const) {
      const token = await aSession({ sub: `user-${factor}`, sid: `s-${factor}` });
      const started = await postJson(`${base}/__stepgate/api/enroll/${factor}`, token, factor === "sms" ? { phone: address } : { email: address });
      expect(started.status).toBe(201);
      const { enrollmentId } = await started.json<{ enrollmentId: string }>();
      const code = await lastCodeTo(base, address);
      expect((await postJson(`${base}/__stepgate/api/enroll/${factor}/confirm`, token, { enrollmentId, code })).status).toBe(200);
      // Past the resend cooldown the enrolment's code started.
      await timePasses(tenantId, `user-${factor}`, 120_000);
      const { echo } = await withdrawWith(base, token, async (id) => {
        expect((await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor })).status).toBe(202);
        return verify(base, token, id, factor, await lastCodeTo(base, address));
      });
      expect((await verifiedAssurance(base, echo)).amr).toEqual(amr);
    }
  });

  it("says backup_code for a backup code, not otp", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "bo", sid: "s-bo" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { echo } = await withdrawWith(base, token, (id) => verify(base, token, id, "backup_code", backupCodes[0]!));
    expect((await verifiedAssurance(base, echo)).amr).toEqual(["backup_code", "mfa"]);
  });

  it("says swk for a synced passkey (backup-eligible) and hwk for a device-bound one", async () => {
    const { base } = await aTenant(policy());
    for (const [synced, method] of [
      [true, "swk"],
      [false, "hwk"],
    ] as const) {
      const token = await aSession({ sub: `key-${method}`, sid: `s-${method}` });
      const passkey = await SoftwareCredential.create("ES256", { synced });
      await enrollPasskeyViaApi(base, token, passkey);
      const { echo } = await withdrawWith(base, token, (id) => verifyWithPasskey(base, token, id, passkey));
      expect((await verifiedAssurance(base, echo)).amr).toEqual([method, "mfa"]);
    }
  });

  it("says trusted_device alone (no mfa) for a sign-in a trusted device spared, dated when the device was shown", async () => {
    const { base } = await aTenant(policy());
    const first = await aSession({ sub: "cy", sid: "s-1" });
    const { backupCodes } = await enrollTotpViaApi(base, first);
    const stopped = await send(`${base}/echo/app/home`, { headers: { Cookie: `portal_session=${first}` } });
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const trusting = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, first, {
      factor: "backup_code",
      code: backupCodes[0],
      trustDevice: true,
    });
    const device = trusting.headers
      .getSetCookie()
      .find((cookie) => cookie.startsWith("__Host-stepgate-device="))!
      .split(";")[0]!;

    const later = await aSession({ sub: "cy", sid: "s-2" });
    const before = Date.now();
    const home = await send(`${base}/echo/app/home`, { headers: { Cookie: `portal_session=${later}; ${device}` } });
    expect(home.status).toBe(200);
    const payload = await verifiedAssurance(base, await home.json<Echo>());
    expect(payload).toMatchObject({ sub: "cy", sid: "s-2", op: "login", amr: ["trusted_device"] });
    expect(payload.auth_time).toBeGreaterThanOrEqual(seconds(before));
    expect(payload.acr).toBeUndefined();
    expect(payload.rd).toBeUndefined();
  });

  it("says the same for a held request completed after the answer, and names the request it is", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "di", sid: "s-di" });
    const { secret } = await enrollTotpViaApi(base, token);
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 25 });
    const { challengeId, held, completeUrl } = await stopped.json<{ challengeId: string; held: boolean; completeUrl: string }>();
    expect(held).toBe(true);
    const verified = await verify(base, token, challengeId, "totp", totpCode(secret, Date.now() + 30_000));
    const { grant } = await verified.json<{ grant: string }>();
    const completed = await postJson(new URL(completeUrl, base).href, token, {});
    expect(completed.status).toBe(200);
    const payload = await verifiedAssurance(base, await completed.json<Echo>());
    expect(payload).toMatchObject({ op: "withdraw", amr: ["otp", "mfa"], rd: grantPayload(grant).rd });
  });

  it("says what the factor enrolled to answer the challenge that sent the user to enrol", async () => {
    const { base } = await aTenant(policy({ enforcement: "required" }));
    const token = await aSession({ sub: "gus", sid: "s-gus" });
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token, { amount: 7 });
    const { grant } = await enrollTotpViaApi(base, token, challengeId);
    const through = await postJson(`${base}/echo/withdraw`, token, { amount: 7 }, { "StepGate-Grant": grant! });
    expect(through.status).toBe(200);
    expect(await verifiedAssurance(base, await through.json<Echo>())).toMatchObject({ op: "withdraw", amr: ["otp", "mfa"] });
  });

  it("says nothing of a step-up for a user who passed without one, but still names the request", async () => {
    const { base } = await aTenant(policy({ enforcement: "optional" }));
    const token = await aSession({ sub: "eve", sid: "s-eve" });
    const through = await postJson(`${base}/echo/withdraw`, token, { amount: 5 });
    expect(through.status).toBe(200);
    const payload = await verifiedAssurance(base, await through.json<Echo>());
    expect(payload).toMatchObject({ sub: "eve", sid: "s-eve", op: "withdraw" });
    expect(payload.rd).toMatch(/^[0-9a-f]{64}$/);
    for (const claim of ["amr", "auth_time", "acr"]) expect(payload[claim]).toBeUndefined();
  });

  it("signs an assurance with rd for its one request: never sent again", async () => {
    const { base } = await aTenant(policy({ enforcement: "optional" }));
    const token = await aSession({ sub: "fay" });
    const tokens = await Promise.all(
      [1, 2].map(async () => (await (await postJson(`${base}/echo/withdraw`, token, { amount: 5 })).json<Echo>()).headers["stepgate-assurance"]),
    );
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(decodeJwt(tokens[0]!).jti).not.toBe(decodeJwt(tokens[1]!).jti);
  });
});

describe("a client's own assurance", () => {
  const forged = async () => {
    const { privateKey } = await generateKeyPair("ES256");
    return new SignJWT({ sub: "mallory", op: "withdraw", amr: ["hwk", "mfa"] })
      .setProtectedHeader({ alg: "ES256", typ: ASSURANCE_TYPE })
      .setExpirationTime("1m")
      .sign(privateKey);
  };

  it("never reaches the origin, under any spelling a server could read as it: stepgate's own takes its place", async () => {
    const { base } = await aTenant(policy());
    const fake = await forged();
    const response = await send(`${base}/echo/public`, {
      headers: { "StepGate-Assurance": fake, stepgate_assurance: fake, "STEPGATE.ASSURANCE": fake, "Stepgate-Assurance_": fake },
    });
    const echo = await response.json<Echo>();
    const spellings = Object.keys(echo.headers).filter((name) => name.replace(/[^a-z0-9]/g, "") === "stepgateassurance");
    expect(spellings).toEqual(["stepgate-assurance"]);
    expect(echo.headers["stepgate-assurance"]).not.toContain(fake);
    expect((await verifiedAssurance(base, echo)).sub).toBeUndefined();
  });

  it("is removed, and none sent, where the tenant turned the assurance off", async () => {
    const { base } = await aTenant(policy({ assurance: { enabled: false } }));
    const fake = await forged();
    const echo = await (await send(`${base}/echo/public`, { headers: { "StepGate-Assurance": fake, StepGate_Assurance: fake } })).json<Echo>();
    expect(Object.keys(echo.headers).filter((name) => name.replace(/[^a-z0-9]/g, "") === "stepgateassurance")).toEqual([]);
  });
});

describe("an assurance that cannot be signed", () => {
  it("leaves plain traffic flowing without one (and without the client's), as it flows without keys", async () => {
    const { base } = await aTenant(policy());
    const broken = { ...env, STEPGATE_SECRET_KEYS: "not a key list" } as Env;
    const context = createExecutionContext();
    const response = await app.fetch(new Request(`${base}/echo/public`, { headers: { "StepGate-Assurance": "forged" } }), broken, context);
    await waitOnExecutionContext(context);
    expect(response.status).toBe(200);
    expect((await response.json<Echo>()).headers["stepgate-assurance"]).toBeUndefined();
  });
});

describe("key rotation", () => {
  it("keeps an assurance signed before the rotation verifiable until it expires", async () => {
    const { base, tenantId } = await aTenant(policy());
    const claims = assuranceClaims(new URL(`${base}/echo/x`), new URL(env.TEST_ORIGIN), null, undefined);
    // Before the rotation only t1 was configured; now t2 signs and t1 is still listed (vitest.config.ts).
    const beforeRotation = { ...env, STEPGATE_SECRET_KEYS: env.STEPGATE_SECRET_KEYS.split(",")[1]! } as Env;
    const signedAt = Date.now();
    const old = await signedAssurance(beforeRotation, tenantId, claims, signedAt);
    const keys = await publishedKeys(base);
    expect(decodeProtectedHeader(old).kid).toBe(keys.keys[1]!.kid);
    const echo = { headers: { "stepgate-assurance": old }, body: "" };
    expect((await verifiedAssurance(base, echo)).iss).toBe(`${base}/__stepgate`);
    await expect(verifiedAssurance(base, echo, new Date(signedAt + 61_000))).rejects.toThrow(/exp/);

    // New assurances are signed with the new key.
    const fresh = await (await send(`${base}/echo/x`)).json<Echo>();
    expect(decodeProtectedHeader(fresh.headers["stepgate-assurance"]!).kid).toBe(keys.keys[0]!.kid);
  });
});
