import { describe, expect, it } from "vitest";
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { adminGet, usersSync } from "../support/admin";
import { delivered } from "../support/events";
import { enrollTotpViaApi, postJson, verify } from "../support/step-up";

type Entry = { seq: number; at: string; type: string; user: string | null; actor: string | null; ip: string | null; detail: Record<string, unknown> };
type Page = { entries: Entry[]; nextCursor: string | null };

const audit = (base: string, query = "") => adminGet<Page>(`${base}/__stepgate/admin/v1/audit${query}`);

/** Three users, each enrolled, each with two wrong codes from their own IP. */
async function busyTenant() {
  const tenant = await aTenant(aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
  for (const [i, sub] of ["kim", "lou", "mia"].entries()) {
    const token = await aSession({ sub });
    await enrollTotpViaApi(tenant.base, token);
    const { challengeId } = await (await postJson(`${tenant.base}/echo/withdraw`, token, {})).json<{ challengeId: string }>();
    for (let n = 0; n < 2; n++) {
      await postJson(
        `${tenant.base}/__stepgate/api/challenges/${challengeId}/verify`,
        token,
        { factor: "totp", code: "000000" },
        { "CF-Connecting-IP": `203.0.113.${i + 1}` },
      );
    }
  }
  return tenant;
}

describe("tenant-wide audit", () => {
  it("gathers every user's entries through the event stream, newest first", async () => {
    const { base, tenantId } = await busyTenant();
    expect((await audit(base)).entries).toEqual([]);
    // The alarm was set by the first entry; running it publishes the batch, which the stream's consumer stores.
    expect(await runDurableObjectAlarm(userState(env, tenantId, "kim"))).toBe(true);
    await delivered(tenantId, "kim");
    await usersSync(tenantId, "lou", "mia");
    const { entries } = await audit(base, "?limit=200");
    expect(entries.filter((e) => e.type === "verify.failed")).toHaveLength(6);
    expect(new Set(entries.map((e) => e.user))).toEqual(new Set(["kim", "lou", "mia"]));
    expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => b - a));
    expect(entries.find((e) => e.user === "lou" && e.type === "verify.failed")).toMatchObject({ ip: "203.0.113.2", actor: null });
  });

  it("pages with a cursor: each entry exactly once", async () => {
    const { base, tenantId } = await busyTenant();
    await usersSync(tenantId, "kim", "lou", "mia");
    const total = (await audit(base, "?limit=200")).entries.length;
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await audit(base, `?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it("filters by user, exact type, type prefix and time", async () => {
    const { base, tenantId } = await busyTenant();
    await usersSync(tenantId, "kim", "lou", "mia");
    const mine = (await audit(base, "?user=mia")).entries;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.user === "mia")).toBe(true);
    expect((await audit(base, "?type=verify.failed")).entries).toHaveLength(6);
    const prefixed = (await audit(base, "?type=factor.*")).entries;
    expect(prefixed.map((e) => e.type)).toEqual(["factor.enrolled", "factor.enrolled", "factor.enrolled"]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(base, `?since=${encodeURIComponent(future)}`)).entries).toEqual([]);
    expect((await audit(base, `?until=${encodeURIComponent(future)}&type=verify.failed`)).entries).toHaveLength(6);
  });

  it("shows a named user's latest entries at once, without waiting for their alarm", async () => {
    const { base } = await aTenant(aPolicy());
    const token = await aSession({ sub: "ned" });
    await enrollTotpViaApi(base, token);
    const { entries } = await audit(base, "?user=ned");
    expect(entries.map((e) => e.type)).toContain("factor.enrolled");
  });

  it("records an entry once even when it is published twice", async () => {
    const { base, tenantId } = await aTenant(aPolicy());
    await enrollTotpViaApi(base, await aSession({ sub: "oda" }));
    await usersSync(tenantId, "oda");
    const once = (await audit(base)).entries.length;
    // Forget what was published, as if the queue's answer to the first batch had been lost, and
    // publish again, in one batch with a new entry: once that is stored, the whole batch was.
    const user = userState(env, tenantId, "oda");
    await runInDurableObject(user, (_i, state) => state.storage.sql.exec("UPDATE settings SET value = 0 WHERE name = 'audit_shipped_seq'"));
    await user.unlock({ ip: null, userAgent: null }, "bootstrap");
    await usersSync(tenantId, "oda");
    const { entries } = await audit(base);
    expect(entries.map((e) => e.type)).toContain("lockout.cleared");
    expect(entries.length).toBe(once + 1);
  });

  it.each([
    ["?since=yesterday", "#/since"],
    ["?type=DROP TABLE", "#/type"],
    ["?cursor=-1", "#/cursor"],
    ["?limit=500", "#/limit"],
  ])("refuses a bad query %s naming %s", async (query, pointer) => {
    const { base } = await aTenant(aPolicy());
    const response = await send(`${base}/__stepgate/admin/v1/audit${query}`, { headers: adminHeaders() });
    expect(response.status).toBe(400);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain(pointer);
  });

  it("keeps admin actions on users with the acting key", async () => {
    const { base } = await aTenant(aPolicy());
    await send(`${base}/__stepgate/admin/v1/users/pia/requirement`, {
      method: "PUT",
      headers: adminHeaders({ "CF-Connecting-IP": "192.0.2.9" }),
      body: JSON.stringify({ required: true }),
    });
    const { entries } = await audit(base, "?type=requirement.set");
    expect(entries[0]).toMatchObject({ user: "pia", actor: "bootstrap", ip: "192.0.2.9", detail: { required: true } });
  });

  it("lists the verification of a withdraw with its factor", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
    const token = await aSession({ sub: "quin" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await (await postJson(`${base}/echo/withdraw`, token, {})).json<{ challengeId: string }>();
    expect((await verify(base, token, challengeId, "backup_code", backupCodes[0]!)).status).toBe(200);
    await usersSync(tenantId, "quin");
    const { entries } = await audit(base, "?type=verify.ok");
    expect(entries[0]).toMatchObject({ user: "quin", detail: { factor: "backup_code", operation: "withdraw" } });
  });
});
