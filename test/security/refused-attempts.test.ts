/**
 * Verifications refused before any code is checked — the user is locked out, or the client's IP
 * ran out of wrong answers — are visible in the tenant's audit trail (GET /admin/v1/audit), so
 * a brute-force attempt shows there: one `verify.refused` entry per user (or per batch published
 * to the event stream, when sooner), or per IP, per minute, with the number of refusals.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TenantAuditEntry } from "../../src/api/admin-schemas";
import { addressLimitState } from "../../src/state/address-limit";
import { dueRefusals, refusalsDueAt, tallyRefusal } from "../../src/state/address-limit/refusals";
import { REFUSAL_WINDOW_MS } from "../../src/state/refusal-window";
import { userState } from "../../src/state/user";
import { recordAudit } from "../../src/state/user/audit";
import { type OpenTally, tallyLockedRefusal } from "../../src/state/user/locked-refusals";
import { refusalsPublished } from "../support/address-limits";
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

    // Counted in the user's own object (the verification path calls no other), and published
    // to the event stream with its next batch, beside the 5 failures and the lock.
    expect(await refusedEntries(base)).toEqual([]);
    await usersSync(tenantId, "lars");
    const entries = await refusedEntries(base);
    // 20 refusals within a few seconds: one entry, or two when they straddle a minute.
    expect(entries.length).toBeGreaterThanOrEqual(1);
    expect(entries.length).toBeLessThanOrEqual(2);
    expect(countOf(entries)).toBe(20);
    for (const entry of entries) expect(entry).toMatchObject({ user: "lars", ip: "203.0.113.77", detail: { reason: "locked" } });

    // The published entry is final: another refusal starts a new entry, and no refusal counts twice.
    expect(await (await guess()).json()).toMatchObject({ code: "locked" });
    await usersSync(tenantId, "lars");
    const after = await refusedEntries(base);
    expect(after).toHaveLength(entries.length + 1);
    expect(countOf(after)).toBe(21);
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

    // Counted in the object of the attacker's network, never the tenant's, which stores the
    // tally from the event stream once its minute is over.
    expect(await refusedEntries(base)).toEqual([]);
    const published = await refusalsPublished(tenantId, "ip:203.0.113.88");
    const entries = await refusedEntries(base);
    expect(entries).toHaveLength(published.length);
    expect(countOf(entries)).toBe(9);
    expect(entries.length).toBeLessThanOrEqual(2);
    for (const entry of entries)
      expect(entry).toMatchObject({ user: null, ip: "203.0.113.88", userAgent: "stuffer/1.0", detail: { reason: "ip_rate_limited" } });
    await usersSync(tenantId, "uma", "uli", "udo");
  });
});

describe("the per-minute tally", () => {
  const origin = (ip: string) => ({ ip, userAgent: null });
  const refusedRows = (sql: SqlStorage) =>
    sql
      .exec<{ user_id: string | null; ip: string; detail: string }>("SELECT ip, detail FROM audit WHERE type = 'verify.refused' ORDER BY seq")
      .toArray()
      .map((r) => ({ ip: r.ip, ...(JSON.parse(r.detail) as { reason: string; count: number }) }));

  it("counts into one entry per IP per minute in the object of its network, and starts a new one the next minute", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const minute = Math.floor(Date.now() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS;
    const events = await runInDurableObject(addressLimitState(env, tenantId, "ip:192.0.2.1"), (_, state) => {
      const sql = state.storage.sql;
      const refused = (ip: string, at: number) => tallyRefusal(sql, `ip:${ip}`, origin(ip), at);
      for (const at of [minute + 1_000, minute + 2_000, minute + 59_999]) refused("192.0.2.1", at);
      refused("192.0.2.2", minute + 3_000);
      refused("192.0.2.1", minute + REFUSAL_WINDOW_MS);
      refused("192.0.2.1", minute + REFUSAL_WINDOW_MS + 1);
      return dueRefusals({ sql, tenantId, objectId: state.id.toString() }, minute + 2 * REFUSAL_WINDOW_MS);
    });
    expect(events.map((e) => [e.ip, e.detail.reason, e.detail.bucket, e.detail.count])).toEqual([
      ["192.0.2.1", "ip_rate_limited", "ip:192.0.2.1", 3],
      ["192.0.2.2", "ip_rate_limited", "ip:192.0.2.2", 1],
      ["192.0.2.1", "ip_rate_limited", "ip:192.0.2.1", 2],
    ]);
    expect(events.map((e) => e.at)).toEqual([minute + 1_000, minute + 3_000, minute + REFUSAL_WINDOW_MS].map((at) => new Date(at).toISOString()));
    // Ids of the tenant's entries, unique, made of the minute and the entry's place in it: never
    // a sequence the object would start again after deleting its storage.
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    for (const event of events) expect(event.id).toMatch(/^t-[0-9a-f]{64}-\d+$/);
  });

  it("holds an IP's tally back from the stream until its minute is over, and rings then", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const minute = Math.floor(Date.now() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS;
    const due = await runInDurableObject(addressLimitState(env, tenantId, "ip:192.0.2.9"), (_, state) => {
      const sql = state.storage.sql;
      const from = { sql, tenantId, objectId: state.id.toString() };
      tallyRefusal(sql, "ip:192.0.2.9", origin("192.0.2.9"), minute + 1_000);
      const during = dueRefusals(from, minute + 30_000);
      const after = dueRefusals(from, minute + REFUSAL_WINDOW_MS);
      return { during: [during.length, refusalsDueAt(sql, minute + 30_000)], after: after.map((e) => e.type) };
    });
    expect(due).toEqual({ during: [0, minute + REFUSAL_WINDOW_MS], after: ["verify.refused"] });

    // Through the object: a refusal sets its alarm for the end of the minute.
    const limits = addressLimitState(env, tenantId, "ip:192.0.2.10");
    expect(await limits.takeAttempt("ip:192.0.2.10", 1, origin("192.0.2.10"))).toMatchObject({ ok: true });
    const refusedAt = Date.now();
    expect(await limits.takeAttempt("ip:192.0.2.10", 1, origin("192.0.2.10"))).toMatchObject({ ok: false });
    const alarm = await runInDurableObject(limits, (_, state) => state.storage.getAlarm());
    const minuteEnd = refusedAt - (refusedAt % REFUSAL_WINDOW_MS) + REFUSAL_WINDOW_MS;
    // The same minute, or the next when the refusal straddled it.
    expect([minuteEnd, minuteEnd + REFUSAL_WINDOW_MS]).toContain(alarm);
  });

  it("counts a locked-out user's refusals into one entry per minute in their own object", async () => {
    const minute = Math.floor(Date.now() / REFUSAL_WINDOW_MS) * REFUSAL_WINDOW_MS;
    const rows = await runInDurableObject(userState(env, `t-${crypto.randomUUID()}`, "ava"), (_, state) => {
      const sql = state.storage.sql;
      const record = (at: number) => (detail: Record<string, unknown>) => recordAudit(sql, at, "verify.refused", origin("192.0.2.1"), detail);
      let open: OpenTally | null = null;
      for (const at of [minute + 1_000, minute + 2_000, minute + 59_999, minute + REFUSAL_WINDOW_MS]) open = tallyLockedRefusal(sql, open, at, record(at)).open;
      const { closesAt } = tallyLockedRefusal(sql, open, minute + REFUSAL_WINDOW_MS + 1, record(minute + REFUSAL_WINDOW_MS + 1));
      return { rows: refusedRows(sql), closesAt };
    });
    expect(rows.rows.map(({ reason, count }) => [reason, count])).toEqual([
      ["locked", 3],
      ["locked", 2],
    ]);
    expect(rows.closesAt).toBe(minute + 2 * REFUSAL_WINDOW_MS);
  });
});
