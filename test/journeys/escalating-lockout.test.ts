/**
 * Escalating lockout (`lockout.maxTemporaryLockouts`), through the worker: the lock after that
 * many temporary ones within the period lasts until an admin unlocks, for the API (423, no
 * Retry-After), the hosted challenge page, the directory and the audit; an admin's unlock ends
 * it and starts the count again; off by default.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { userState } from "../../src/state/user";
import { adminGet, usersSync } from "../support/admin";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { lockOver, lockRunsOut } from "../support/lockout";
import { enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const lockout = { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900, maxTemporaryLockouts: 2, temporaryLockoutPeriodSeconds: 3_600 };
const escalating = (overrides: Partial<PolicyInput> = {}) =>
  aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } }, lockout, ...overrides });

type Entry = { type: string; detail: Record<string, unknown> };
const auditOf = async (base: string, user: string) =>
  (await adminGet<{ entries: Entry[] }>(`${base}/__stepgate/admin/v1/audit?user=${user}&limit=200`)).entries;

/** A tenant, and `sub` enrolled with an authenticator app; `nextCode` is a right code the app has not used. */
async function anEnrolledUser(policy: PolicyInput, sub: string) {
  const site = await aTenant(policy);
  const token = await aSession({ sub, sid: `${sub}-1` });
  const { secret, enrolledAt } = await enrollTotpViaApi(site.base, token);
  return { ...site, user: { sub, token }, nextCode: () => totpCode(secret, enrolledAt + 30_000) };
}

describe("escalating lockout", () => {
  it("locks until an admin unlocks after maxTemporaryLockouts temporary locks within the period: 423, no Retry-After, the right code refused", async () => {
    const { base, tenantId, user, nextCode } = await anEnrolledUser(escalating(), "ada");
    // Two temporary locks, each refused with the wait while it lasts.
    const { challengeId } = await lockOver({ base, tenantId }, user, { locks: 2, maxAttempts: 2 });
    const waiting = await verify(base, user.token, challengeId, "totp", nextCode());
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get("Retry-After"))).toBeGreaterThan(800);
    // The third lock within the hour has no end.
    await lockRunsOut(tenantId, "ada");
    expect((await verify(base, user.token, challengeId, "totp", "000000")).status).toBe(400);
    const last = await verify(base, user.token, challengeId, "totp", "000000");
    expect(last.status).toBe(400);
    expect(await last.json()).toMatchObject({ code: "invalid_code", attemptsRemaining: 0 });

    const right = await verify(base, user.token, challengeId, "totp", nextCode());
    expect(right.status).toBe(423);
    expect(right.headers.get("Retry-After")).toBeNull();
    const problem = await right.json<{ code: string; lockedSince: string; retryAfterSeconds?: number }>();
    expect(problem).toMatchObject({ code: "locked_until_unlock", status: 423 });
    expect(problem.retryAfterSeconds).toBeUndefined();
    expect(Date.now() - Date.parse(problem.lockedSince)).toBeLessThan(60_000);
    // Time does not end it: the temporary lock's end is long gone.
    await lockRunsOut(tenantId, "ada");
    expect((await verify(base, user.token, challengeId, "totp", nextCode())).status).toBe(423);

    const types = (await auditOf(base, "ada")).map((e) => e.type);
    expect(types.filter((t) => t === "lockout.started")).toHaveLength(2);
    const escalated = (await auditOf(base, "ada")).filter((e) => e.type === "lockout.escalated");
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.detail).toEqual({ since: Date.parse(problem.lockedSince), temporaryLockouts: 2, periodSeconds: 3_600 });
  });

  it("shows the user locked until unlock in the directory (filtered too) and their details, and an admin's unlock ends it and the count", async () => {
    const { base, tenantId, user, nextCode } = await anEnrolledUser(escalating(), "bo");
    await aSession({ sub: "cy" }).then((token) => enrollTotpViaApi(base, token));
    const { challengeId } = await lockOver({ base, tenantId }, user, { locks: 3, maxAttempts: 2 });
    await usersSync(tenantId, "bo", "cy");

    const listed = await adminGet<{ users: Array<Record<string, unknown>> }>(`${base}/__stepgate/admin/v1/users?status=locked_until_unlock`);
    expect(listed.users).toEqual([expect.objectContaining({ userId: "bo", locked: true, lockedUntil: null, lockedUntilUnlock: true })]);
    const anyLock = await adminGet<{ users: Array<{ userId: string }> }>(`${base}/__stepgate/admin/v1/users?status=locked`);
    expect(anyLock.users.map((u) => u.userId)).toEqual(["bo"]);
    const everyone = await adminGet<{ users: Array<{ userId: string; lockedUntilUnlock: boolean }> }>(`${base}/__stepgate/admin/v1/users`);
    expect(everyone.users.find((u) => u.userId === "cy")?.lockedUntilUnlock).toBe(false);
    expect(await adminGet(`${base}/__stepgate/admin/v1/users/bo`)).toMatchObject({ lockedUntil: null, lockedUntilUnlock: true, locked: true });

    const unlock = await send(`${base}/__stepgate/admin/v1/users/bo/unlock`, { method: "POST", headers: adminHeaders() });
    expect(await unlock.json()).toEqual({ userId: "bo", unlocked: true, wasLocked: true });
    expect(await adminGet(`${base}/__stepgate/admin/v1/users/bo`)).toMatchObject({ lockedUntil: null, lockedUntilUnlock: false, locked: false });
    const cleared = (await auditOf(base, "bo")).find((e) => e.type === "lockout.cleared");
    expect(cleared?.detail).toMatchObject({ actor: "bootstrap", wasLocked: true, lockedSince: expect.any(Number) });
    expect((await verify(base, user.token, challengeId, "totp", nextCode())).status).toBe(200);

    // The unlock forgot the temporary locks: the next lock is a temporary one again.
    const again = await lockOver({ base, tenantId }, user, { locks: 1, maxAttempts: 2 });
    const refused = await verify(base, user.token, again.challengeId, "totp", "000000");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).not.toBeNull();
  });

  it("does not count temporary locks older than the period", async () => {
    const { base, tenantId, user } = await anEnrolledUser(escalating({ lockout: { ...lockout, maxTemporaryLockouts: 1 } }), "dee");
    const { challengeId } = await lockOver({ base, tenantId }, user, { locks: 1, maxAttempts: 2 });
    // An hour and a minute later (the lock's start moved back, as time passing would).
    await runInDurableObject(userState(env, tenantId, "dee"), async (_object, state) => {
      const row = state.storage.sql.exec<{ temporary_locks: string }>("SELECT temporary_locks FROM lockout").one();
      const moved = (JSON.parse(row.temporary_locks) as number[]).map((at) => at - 3_660_000);
      state.storage.sql.exec("UPDATE lockout SET temporary_locks = ?", JSON.stringify(moved));
    });
    await lockRunsOut(tenantId, "dee");
    for (let i = 0; i < 2; i++) await verify(base, user.token, challengeId, "totp", "000000");
    const refused = await verify(base, user.token, challengeId, "totp", "000000");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "locked" });
  });

  it("is off by default: lock after lock stays temporary", async () => {
    const { base, tenantId, user } = await anEnrolledUser(escalating({ lockout: { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900 } }), "eve");
    const { challengeId } = await lockOver({ base, tenantId }, user, { locks: 6, maxAttempts: 2 });
    const refused = await verify(base, user.token, challengeId, "totp", "000000");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "locked" });
    expect((await auditOf(base, "eve")).some((e) => e.type === "lockout.escalated")).toBe(false);
  });
});

describe("the challenge page of a user locked until unlock", () => {
  const page = (token: string) => ({ Accept: "text/html", Cookie: `portal_session=${token}` });

  it("says no wait ends the lock and whom to ask, with no form, answering the last wrong code 423 without Retry-After", async () => {
    const { base, tenantId, user } = await anEnrolledUser(escalating({ branding: { supportUrl: "https://help.portal.test/contact" } }), "fay");
    const { challengeId } = await lockOver({ base, tenantId }, user, { locks: 2, maxAttempts: 2 });
    await lockRunsOut(tenantId, "fay");
    const path = `${base}/__stepgate/challenge/${challengeId}`;
    const shown = await send(path, { headers: page(user.token) });
    const csrf = /name="csrf" value="([^"]+)"/.exec(await shown.text())![1]!;
    const post = () =>
      send(path, {
        method: "POST",
        headers: { ...page(user.token), Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, factor: "totp", code: "000000" }).toString(),
      });
    expect((await post()).status).toBe(400);
    const locking = await post();
    expect(locking.status).toBe(423);
    expect(locking.headers.get("Retry-After")).toBeNull();
    const html = await locking.text();
    expect(html).toContain('<div id="locked" data-locked="until-unlock">');
    expect(html).toContain("verification is locked until it is unlocked for you.");
    expect(html).toContain('Contact <a href="https://help.portal.test/contact">the portal&#39;s support</a> to have it unlocked.');
    expect(html).not.toContain('name="code"');
    expect(html).not.toContain("Times are shown in");

    // Opened again, and answered again: the same, refused before any code is checked.
    const again = await send(path, { headers: page(user.token) });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('data-locked="until-unlock"');
    const refused = await post();
    expect(refused.status).toBe(423);
    expect(refused.headers.get("Retry-After")).toBeNull();
  });
});
