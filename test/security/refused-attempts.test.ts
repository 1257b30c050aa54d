/**
 * Verifications refused before any code is checked — the user is locked out, or the client's IP
 * ran out of wrong answers — are visible in the tenant's audit trail (GET /admin/v1/audit), so
 * a brute-force attempt shows there: one `verify.refused` entry per user or IP per minute, with
 * the number of refusals, however many there were.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TenantAuditEntry } from "../../src/api/admin-schemas";
import { REFUSAL_WINDOW_MS, noOpenTallies, tallyRefusal } from "../../src/state/tenant/refusal-tally";
import { tenantState } from "../../src/state/tenant";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { usersSync } from "../support/admin";
import { challengeFor, enrollTotpViaApi, postJson } from "../support/step-up";

const lockoutPolicy = (perIpPerHour: number) =>
  aPolicy({
    operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
    lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour },
  });

async function refusedEntries(base: string): Promise<TenantAuditEntry[]> {
  const response = await send(`${base}/__stepgate/admin/v1/audit?type=verify.refused&limit=200`, { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return (await response.json<{ entries: TenantAuditEntry[] }>()).entries;
}

const countOf = (entries: TenantAuditEntry[]) => entries.reduce((sum, e) => sum + (e.detail.count as number), 0);

describe("verifications refused before the code is checked", () => {
  it("shows 20 refusals of a locked-out user in the tenant's audit, counted in one entry per minute", async () => {
    const { base, tenantId } = await aTenant(lockoutPolicy(1_000));
    const token = await aSession({ sub: "lars" });
    await enrollTotpViaApi(base, token);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const guess = () =>
      postJson(
        `${base}/__stepgate/api/challenges/${challengeId}/verify`,
        token,
        { factor: "backup_code", code: "zzzz-zzzz" },
        { "CF-Connecting-IP": "203.0.113.77" },
      );
    for (let i = 0; i < 5; i++) expect((await guess()).status).toBe(400);
    for (let i = 0; i < 20; i++) expect(await (await guess()).json()).toMatchObject({ code: "locked" });

    const entries = await refusedEntries(base);
    // 20 refusals within a few seconds: one entry, or two when they straddle a minute.
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries.length).toBeLessThanOrEqual(2);
    expect(countOf(entries)).toBe(20);
    for (const entry of entries) expect(entry).toMatchObject({ user: "lars", ip: "203.0.113.77", detail: { reason: "locked" } });
    // The user's own entries reach the tenant beside them: 5 failures and the lock, no refusal twice.
    await usersSync(tenantId, "lars");
    expect(countOf(await refusedEntries(base))).toBe(20);
  });

  it("shows refusals of an IP that ran out of wrong answers, across users, in the tenant's audit", async () => {
    const { base, tenantId } = await aTenant(lockoutPolicy(3));
    const attacker = { "CF-Connecting-IP": "203.0.113.88", "User-Agent": "stuffer/1.0" };
    const victims = await Promise.all(
      ["uma", "uli", "udo"].map(async (sub) => {
        const token = await aSession({ sub, sid: sub });
        await enrollTotpViaApi(base, token);
        return { token, challengeId: await challengeFor(`${base}/echo/withdraw`, token) };
      }),
    );
    const codes: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const v of victims) {
        const answer = await postJson(
          `${base}/__stepgate/api/challenges/${v.challengeId}/verify`,
          v.token,
          { factor: "backup_code", code: "zzzz-zzzz" },
          attacker,
        );
        codes.push((await answer.json<{ code: string }>()).code);
      }
    }
    expect(codes.filter((c) => c === "invalid_code")).toHaveLength(3);
    expect(codes.filter((c) => c === "ip_rate_limited")).toHaveLength(9);

    const entries = await refusedEntries(base);
    expect(countOf(entries)).toBe(9);
    expect(entries.length).toBeLessThanOrEqual(2);
    for (const entry of entries)
      expect(entry).toMatchObject({ user: null, ip: "203.0.113.88", userAgent: "stuffer/1.0", detail: { reason: "ip_rate_limited" } });
    await usersSync(tenantId, "uma", "uli", "udo");
  });
});

describe("the per-minute tally", () => {
  it("counts into one entry per user or IP per minute, and starts a new one the next minute", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const minute = Math.floor(Date.now() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS;
    const rows = await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      const sql = state.storage.sql;
      const open = noOpenTallies();
      const origin = (ip: string) => ({ ip, userAgent: null });
      for (const at of [minute + 1_000, minute + 2_000, minute + 59_999])
        tallyRefusal(sql, open, { reason: "locked", userId: "ava", origin: origin("192.0.2.1") }, at);
      tallyRefusal(sql, open, { reason: "locked", userId: "bea", origin: origin("192.0.2.1") }, minute + 3_000);
      tallyRefusal(sql, open, { reason: "ip_rate_limited", userId: null, origin: origin("192.0.2.1") }, minute + 4_000);
      tallyRefusal(sql, open, { reason: "ip_rate_limited", userId: null, origin: origin("192.0.2.2") }, minute + 5_000);
      tallyRefusal(sql, open, { reason: "locked", userId: "ava", origin: origin("192.0.2.1") }, minute + REFUSAL_WINDOW_MS);
      // The object was evicted: its memory of this minute's entries is gone, the counts still add up.
      tallyRefusal(sql, noOpenTallies(), { reason: "locked", userId: "ava", origin: origin("192.0.2.1") }, minute + REFUSAL_WINDOW_MS + 1);
      return sql
        .exec<{ user_id: string | null; ip: string; detail: string }>("SELECT user_id, ip, detail FROM audit WHERE type = 'verify.refused' ORDER BY seq")
        .toArray()
        .map((r) => ({ user: r.user_id, ip: r.ip, ...(JSON.parse(r.detail) as { reason: string; count: number }) }));
    });
    expect(rows.map(({ user, ip, reason, count }) => [user, ip, reason, count])).toEqual([
      ["ava", "192.0.2.1", "locked", 3],
      ["bea", "192.0.2.1", "locked", 1],
      [null, "192.0.2.1", "ip_rate_limited", 1],
      [null, "192.0.2.2", "ip_rate_limited", 1],
      ["ava", "192.0.2.1", "locked", 1],
      ["ava", "192.0.2.1", "locked", 1],
    ]);
  });
});
