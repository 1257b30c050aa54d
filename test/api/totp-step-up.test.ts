import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { challengeFor, enrollTotpViaApi, postJson, sessionHeaders, verify } from "../support/step-up";
import { totpCode, wrongCode } from "../support/totp";

const policy = (overrides: object = {}) =>
  aPolicy({
    enforcement: "required",
    operations: {
      withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 },
      // Not bound to one request, so the grant's maxAge is what these tests see.
      change_password: { routes: ["POST /echo/password"], maxAge: 300, bindRequest: false },
    },
    ...overrides,
  });

describe("the full API flow", () => {
  it("enrols with the first code, answers the forced challenge, and reaches the origin once with the grant", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "alice", sid: "s-1" });
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);

    const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
    expect(started.status).toBe(201);
    const enrollment = await started.json<{ enrollmentId: string; otpauthUri: string; secret: string; qrSvg: string }>();
    expect(enrollment.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(enrollment.otpauthUri).searchParams.get("secret")).toBe(enrollment.secret);
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrollment.qrSvg).toMatch(/^<svg/);

    const wrong = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, {
      enrollmentId: enrollment.enrollmentId,
      code: wrongCode(enrollment.secret),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: "invalid_code", attemptsRemaining: 4 });

    const confirmed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, {
      enrollmentId: enrollment.enrollmentId,
      code: totpCode(enrollment.secret),
      challengeId,
    });
    expect(confirmed.status).toBe(200);
    const { backupCodes, grant } = await confirmed.json<{ backupCodes: string[]; grant: string }>();
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    expect(backupCodes[0]).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);

    const through = await postJson(`${base}/echo/withdraw`, token, { amount: 10 }, { "StepGate-Grant": grant });
    expect(through.status).toBe(200);
    const echo = await through.json<{ body: string; headers: Record<string, string> }>();
    expect(JSON.parse(echo.body)).toEqual({ amount: 10 });
    expect(echo.headers["stepgate-grant"]).toBeUndefined();

    // maxAge 0: the grant was good for that one request.
    const again = await postJson(`${base}/echo/withdraw`, token, { amount: 10 }, { "StepGate-Grant": grant });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "step_up_required", factors: ["totp"] });

    // Nothing readable at rest: the secret and the backup codes are not in storage.
    const dump = await runInDurableObject(userState(env, tenantId, "alice"), async (_o, state) =>
      JSON.stringify([state.storage.sql.exec("SELECT * FROM factors").toArray(), state.storage.sql.exec("SELECT * FROM backup_codes").toArray()]),
    );
    expect(dump).not.toContain(enrollment.secret);
    expect(dump).not.toContain(enrollment.secret.toLowerCase());
    for (const code of backupCodes) expect(dump).not.toContain(code.replace("-", ""));
    expect(dump).toMatch(/"secret_sealed":"v1\.t2\./);
  });

  it("sets a grant cookie that lets the browser through until maxAge, for that operation only", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "bob" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/password`, token);
    const verified = await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000));
    expect(verified.status).toBe(200);
    const body = await verified.json<{ grant: string; expiresAt: string; operation: string; singleUse: boolean }>();
    expect(body).toMatchObject({ operation: "change_password", singleUse: false });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(290_000);
    const cookie = verified.headers.getSetCookie().find((c) => c.startsWith("__Host-stepgate-grant-change_password="))!;
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    const grantCookie = cookie.split(";")[0]!;

    for (let i = 0; i < 2; i++) {
      const through = await send(`${base}/echo/password`, { method: "POST", headers: { Cookie: `portal_session=${token}; ${grantCookie}` }, body: "{}" });
      expect(through.status).toBe(200);
      const echo = await through.json<{ headers: Record<string, string> }>();
      expect(echo.headers.cookie).toBe(`portal_session=${token}`);
    }
    const otherOperation = await send(`${base}/echo/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${token}; ${grantCookie}` }, body: "{}" });
    expect(otherOperation.status).toBe(401);
  });
});

describe("replay", () => {
  it("refuses the enrolment code when it is sent again for a challenge", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "carol" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const replayed = await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt));
    expect(replayed.status).toBe(400);
    expect(await replayed.json()).toMatchObject({ code: "invalid_code" });
    // An earlier step inside the skew window is refused too: steps only move forward.
    const earlier = await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt - 30_000));
    expect(earlier.status).toBe(400);
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
  });

  it("accepts one of two racing requests with the same code", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "dave" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const first = await challengeFor(`${base}/echo/withdraw`, token);
    const second = await challengeFor(`${base}/echo/withdraw`, token);
    const code = totpCode(secret, enrolledAt + 30_000);
    const results = await Promise.all([verify(base, token, first, "totp", code), verify(base, token, second, "totp", code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("uses a backup code once", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "erin" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const code = backupCodes[3]!;
    const first = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await verify(base, token, first, "backup_code", code.toUpperCase().replace("-", " "))).status).toBe(200);
    const second = await challengeFor(`${base}/echo/withdraw`, token);
    const reused = await verify(base, token, second, "backup_code", code);
    expect(reused.status).toBe(400);
    expect((await verify(base, token, second, "backup_code", backupCodes[4]!)).status).toBe(200);
  });

  it("answers a challenge only once", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "fay" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await verify(base, token, challengeId, "backup_code", backupCodes[0]!)).status).toBe(200);
    const again = await verify(base, token, challengeId, "backup_code", backupCodes[1]!);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: "challenge_not_found" });
  });
});

describe("lockout", () => {
  it("counts twenty parallel wrong codes at most five times, then refuses even the right code until an admin unlocks", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "gus" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const wrong = wrongCode(secret, enrolledAt + 30_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(base, token, challengeId, "totp", wrong)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const remaining = await Promise.all(results.filter((r) => r.status === 400).map((r) => r.json<{ attemptsRemaining: number }>()));
    expect(remaining.map((r) => r.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);

    const right = await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000));
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("Retry-After"))).toBeGreaterThan(800);
    expect(await right.json()).toMatchObject({ code: "locked" });

    const unlock = await send(`${base}/__stepgate/admin/v1/users/gus/unlock`, { method: "POST", headers: adminHeaders() });
    expect(unlock.status).toBe(200);
    expect(await unlock.json()).toMatchObject({ unlocked: true, wasLocked: true });
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
  });

  it("ends by itself after lockSeconds", async () => {
    const { base } = await aTenant(policy({ lockout: { maxAttempts: 2, windowSeconds: 60, lockSeconds: 1 } }));
    const token = await aSession({ sub: "hal" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    for (let i = 0; i < 2; i++) await verify(base, token, challengeId, "totp", wrongCode(secret, enrolledAt + 30_000));
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
  });

  it("refuses admin unlock without the admin key", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/__stepgate/admin/v1/users/gus/unlock`, { method: "POST" });
    expect(response.status).toBe(401);
  });
});

describe("audit", () => {
  it("records enrolment, failed and good verifications, lockout and unlock with time, IP and user agent", async () => {
    const { base } = await aTenant(policy({ lockout: { maxAttempts: 2, windowSeconds: 60, lockSeconds: 600 } }));
    const token = await aSession({ sub: "ivy" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const from = { "CF-Connecting-IP": "203.0.113.7", "User-Agent": "TestBrowser/1.0" };
    for (let i = 0; i < 2; i++) {
      await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "totp", code: wrongCode(secret, enrolledAt + 30_000) }, from);
    }
    await send(`${base}/__stepgate/admin/v1/users/ivy/unlock`, { method: "POST", headers: adminHeaders(from) });
    await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "totp", code: totpCode(secret, enrolledAt + 30_000) }, from);

    const response = await send(`${base}/__stepgate/admin/v1/audit?user=ivy`, { headers: adminHeaders() });
    expect(response.status).toBe(200);
    const { entries } = await response.json<{ entries: Array<{ type: string; at: string; ip: string | null; userAgent: string | null; user: string }> }>();
    expect(entries.map((e) => e.type)).toEqual([
      "verify.ok",
      "lockout.cleared",
      "lockout.started",
      "verify.failed",
      "verify.failed",
      "backup_codes.issued",
      "factor.enrolled",
    ]);
    const failed = entries.find((e) => e.type === "verify.failed")!;
    expect(failed).toMatchObject({ ip: "203.0.113.7", userAgent: "TestBrowser/1.0", user: "ivy" });
    expect(Date.now() - Date.parse(failed.at)).toBeLessThan(60_000);
  });

  it("needs the admin key and a valid query", async () => {
    const { base } = await aTenant(policy());
    expect((await send(`${base}/__stepgate/admin/v1/audit?user=x`)).status).toBe(401);
    const badLimit = await send(`${base}/__stepgate/admin/v1/audit?limit=0`, { headers: adminHeaders() });
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toMatchObject({ code: "validation_failed", errors: [{ pointer: "#/limit" }] });
  });
});

describe("bad input", () => {
  it.each([
    [{ factor: "totp" }, "#/code"],
    [{ factor: "push", code: "123456" }, "#/factor"],
    [{ factor: "totp", code: "123456", extra: 1 }, "#/extra"],
  ])("names the bad field of a verify body %j", async (body, pointer) => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "jo" });
    const response = await postJson(`${base}/__stepgate/api/challenges/${"a".repeat(22)}/verify`, token, body);
    expect(response.status).toBe(400);
    const problem = await response.json<{ errors: Array<{ pointer: string }> }>();
    expect(problem.errors.map((e) => e.pointer)).toContain(pointer);
  });

  it("refuses the user API without a portal session", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/__stepgate/api/enroll/totp`, { method: "POST", headers: sessionHeaders("") });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "session_required" });
  });

  it("refuses a second first-factor enrolment", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "kim" });
    await enrollTotpViaApi(base, token);
    const again = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
    expect(again.status).toBe(409);
  });
});

describe("a right answer at the limit", () => {
  it("passes and leaves the user unlocked when the attempt that reached maxAttempts was the right one", async () => {
    const { base } = await aTenant(policy({ lockout: { maxAttempts: 3, windowSeconds: 900, lockSeconds: 900 } }));
    const token = await aSession({ sub: "lim" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    for (let i = 0; i < 2; i++) expect((await verify(base, token, challengeId, "totp", "000000")).status).toBe(400);
    expect((await verify(base, token, challengeId, "backup_code", backupCodes[0]!)).status).toBe(200);
    // Not locked: the next wrong answer is counted from zero again.
    const next = await challengeFor(`${base}/echo/withdraw`, token);
    const wrong = await verify(base, token, next, "totp", "000000");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ attemptsRemaining: 2 });
  });
});
