import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { kvKeys } from "../../src/config/kv-keys";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { codeIn, lastCodeTo, outbox, timePasses } from "../support/outbox";
import { challengeFor, enrollTotpViaApi, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const PHONE = "+14155552671";
const policy = () =>
  aPolicy({
    enforcement: "required",
    factors: { sms: { enabled: true }, email: { enabled: true } },
    operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
  });

describe("a first factor enrolled of the user's own accord", () => {
  it("counts as the login step-up under optional enforcement, as it does when required: the next page asks for no code", async () => {
    const { base } = await aTenant(
      aPolicy({ enforcement: "optional", operations: { login: { routes: ["* /*"], maxAge: 3600 }, withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }),
    );
    const token = await aSession({ sub: "opt-in", sid: "o-1" });
    const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
    const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, { enrollmentId, code: totpCode(secret, Date.now()) });
    expect(confirmed.status).toBe(200);
    // The answer's grant stays the challenge's (there was none); the login grant comes as its cookie.
    expect((await confirmed.json<{ grant?: string }>()).grant).toBeUndefined();
    const loginCookie = confirmed.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-stepgate-grant-login="))
      ?.split(";")[0];
    expect(loginCookie).toBeDefined();
    const page = (cookie: string) => send(`${base}/echo/home`, { headers: { Cookie: cookie, Accept: "application/json" } });
    expect((await page(`portal_session=${token}; ${loginCookie}`)).status).toBe(200);
    // Without it (another browser of the same session), the login step-up is asked for, as before.
    expect((await page(`portal_session=${token}`)).status).toBe(401);
  });
});

describe("what an enrolment may answer", () => {
  it("does not let a later factor's enrolment answer a step-up challenge", async () => {
    const { base, tenantId } = await aTenant(policy());
    const { secret, enrolledAt } = await enrollTotpViaApi(base, await aSession({ sub: "ann", sid: "a-0" }));
    const first = await aSession({ sub: "ann", sid: "a-1" });
    // Verify for manage_factors, so adding a factor is allowed in this session.
    const add = await postJson(`${base}/__stepgate/api/enroll/email`, first, { email: "ann@demo.test" });
    const manage = (await add.json<{ challengeId: string }>()).challengeId;
    expect((await verify(base, first, manage, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
    await timePasses(tenantId, "ann", 31_000);

    const withdraw = await challengeFor(`${base}/echo/withdraw`, first);
    const started = await postJson(`${base}/__stepgate/api/enroll/email`, first, { email: "ann@demo.test" });
    expect(started.status).toBe(201);
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/email/confirm`, first, {
      enrollmentId,
      code: await lastCodeTo(base, "ann@demo.test"),
      challengeId: withdraw,
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toEqual({ backupCodes: [] }); // no grant
  });

  it("drops an enrolment that was pending when the first factor was confirmed elsewhere", async () => {
    const { base } = await aTenant(policy());
    const thief = await aSession({ sub: "bea", sid: "stolen" });
    const owner = await aSession({ sub: "bea", sid: "own" });
    const pending = await postJson(`${base}/__stepgate/api/enroll/sms`, thief, { phone: PHONE });
    expect(pending.status).toBe(201);
    const { enrollmentId } = await pending.json<{ enrollmentId: string }>();
    const code = await lastCodeTo(base, PHONE);
    await enrollTotpViaApi(base, owner);
    const late = await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, thief, { enrollmentId, code });
    expect(late.status).toBe(404);
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${owner}` } })).json<{ factors: Array<{ kind: string }> }>();
    expect(me.factors.map((f) => f.kind)).toEqual(["totp"]);
  });

  it("refuses an enrolment confirmed under the wrong factor's route", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "cy" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const wrongRoute = await postJson(`${base}/__stepgate/api/enroll/email/confirm`, token, { enrollmentId, code: await lastCodeTo(base, PHONE) });
    expect(wrongRoute.status).toBe(404);
  });
});

describe("what a sent code may answer", () => {
  it("never takes an enrolment code, or a code sent by the other channel, for a challenge", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "dee", sid: "d-1" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const enrollCode = await lastCodeTo(base, PHONE);
    await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: enrollCode });
    const second = await aSession({ sub: "dee", sid: "d-2" });
    const add = await postJson(`${base}/__stepgate/api/enroll/email`, second, { email: "dee@demo.test" });
    const manage = (await add.json<{ challengeId: string }>()).challengeId;
    await timePasses(tenantId, "dee", 31_000);
    await postJson(`${base}/__stepgate/api/challenges/${manage}/send`, second, { factor: "sms" });
    expect((await verify(base, second, manage, "sms", await lastCodeTo(base, PHONE))).status).toBe(200);
    const emailStart = await postJson(`${base}/__stepgate/api/enroll/email`, second, { email: "dee@demo.test" });
    const emailEnrollment = (await emailStart.json<{ enrollmentId: string }>()).enrollmentId;
    await postJson(`${base}/__stepgate/api/enroll/email/confirm`, second, { enrollmentId: emailEnrollment, code: await lastCodeTo(base, "dee@demo.test") });

    const id = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await verify(base, token, id, "sms", enrollCode)).status).toBe(400);
    await timePasses(tenantId, "dee", 31_000);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "email" });
    const emailed = codeIn((await outbox(base)).find((m) => m.channel === "email")!.text);
    expect((await verify(base, token, id, "sms", emailed)).status).toBe(400);
  });

  it("kills a code after its tries even when the wrong answers arrive together", async () => {
    const { base, tenantId } = await aTenant({ ...policy(), lockout: { maxAttempts: 50 } });
    const token = await aSession({ sub: "eli" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: await lastCodeTo(base, PHONE) });
    await timePasses(tenantId, "eli", 31_000);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const code = await lastCodeTo(base, PHONE);
    const wrong = code === "000000" ? "111111" : "000000";
    await Promise.all(Array.from({ length: 10 }, () => verify(base, token, id, "sms", wrong)));
    expect((await verify(base, token, id, "sms", code)).status).toBe(400);
  });
});

describe("authenticator settings that change after enrolment", () => {
  it("keeps accepting the enrolled app after the policy's period and digits change", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "fin" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const changed = { ...policy(), factors: { totp: { periodSeconds: 60, digits: 8, algorithm: "SHA256" } } };
    await env.POLICY.put(kvKeys.policy(tenantId), JSON.stringify(changed));
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    await send(`${base}/__stepgate/admin/v1/policy`, { method: "PUT", headers: adminHeaders({ "If-Match": etag }), body: JSON.stringify(changed) });
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await verify(base, token, id, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
  });
});

describe("admin unlock", () => {
  it("takes user ids with a percent sign as they are", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/__stepgate/admin/v1/users/${encodeURIComponent("100%")}/unlock`, { method: "POST", headers: adminHeaders() });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: "100%" });
  });
});
