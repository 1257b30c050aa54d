/**
 * A Durable Object knows whose it is without its name: woken by its alarm after a restart, or
 * reached through `idFromString`, it reads its identity from its own storage; with none stored
 * it refuses to act at all, rather than writing under a guessed (empty) identity. The tenant's
 * object stores records only for itself, each event once.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AuditQuery, TenantAuditEntry } from "../../src/api/admin-schemas";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";
import { usersSync } from "../support/admin";
import { anEvent, delivered } from "../support/events";

const origin = { ip: "203.0.113.9", userAgent: "test" };

/** The error a call fails with (an RPC promise is awaited here, so none is left unhandled). */
async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    return String(error);
  }
  return "no error";
}
const auditQuery = (user?: string): AuditQuery => ({ limit: 50, ...(user ? { user } : {}) });

/** The tenant's audit entries (of `user`, or all), newest first. */
async function tenantAudit(tenantId: string, user?: string): Promise<TenantAuditEntry[]> {
  // The RPC type of `audit` loses its entries' free-form `detail`; the route casts it the same way.
  const page = (await tenantState(env, tenantId).audit(auditQuery(user))) as unknown as { entries: TenantAuditEntry[] };
  return page.entries;
}

/**
 * Ends the object's current instance, as a restart does: the next call constructs it again,
 * from whichever stub reaches it first. (workerd logs the reset it is asked for.)
 */
async function evict(stub: DurableObjectStub): Promise<void> {
  expect(await failure(() => runInDurableObject(stub, (_, state) => state.abort("evicted by the test")))).toMatch("evicted by the test");
}

/** The same object as `named`, reached by its id alone: no name comes with it. */
function nameless<T extends Rpc.DurableObjectBranded | undefined>(named: DurableObjectStub<T>, namespace: DurableObjectNamespace<T>): DurableObjectStub<T> {
  return namespace.get(namespace.idFromString(named.id.toString()));
}

describe("a user's object reached without its name", () => {
  it("publishes for its own tenant when woken by its alarm after being reached by name once", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const named = userState(env, tenantId, "ida");
    await named.status(undefined, "ida@example.test");
    await named.unlock(origin, "bootstrap");
    await evict(named);

    const bare = nameless(named, env.USERS);
    expect(await runInDurableObject(bare, (_, state) => state.id.name)).toBeUndefined();
    await runDurableObjectAlarm(bare);
    await delivered(tenantId, "ida");

    const tenant = tenantState(env, tenantId);
    expect((await tenantAudit(tenantId, "ida")).map((e) => e.type)).toEqual(["lockout.cleared"]);
    expect(await tenant.directoryEntry("ida")).toMatchObject({ userId: "ida", email: "ida@example.test" });
    expect(await tenantAudit("")).toEqual([]);
  });

  it("keeps acting for its own tenant when an admin reaches it after a nameless wake", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const named = userState(env, tenantId, "jon");
    await named.status(undefined, null);
    await runDurableObjectAlarm(named);
    await evict(named);
    const bare = nameless(named, env.USERS);
    expect(await runInDurableObject(bare, (_, state) => state.id.name)).toBeUndefined();
    // The instance built by that nameless call stays; a later admin action goes through it.
    await userState(env, tenantId, "jon").unlock(origin, "bootstrap");
    await usersSync(tenantId, "jon");
    expect((await tenantAudit(tenantId, "jon")).map((e) => e.type)).toEqual(["lockout.cleared"]);
    expect(await tenantAudit("")).toEqual([]);
  });

  it("takes its identity from its profile when it was created before identities were stored", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const named = userState(env, tenantId, "lia");
    await named.status(undefined, null);
    await named.unlock(origin, "bootstrap");
    // As an object written by a release that kept no identity table.
    await runInDurableObject(named, (_, state) => void state.storage.sql.exec("DROP TABLE identity"));
    await evict(named);
    await runDurableObjectAlarm(nameless(named, env.USERS));
    await delivered(tenantId, "lia");
    expect((await tenantAudit(tenantId, "lia")).map((e) => e.type)).toEqual(["lockout.cleared"]);
  });

  it("refuses every call, and writes nothing, when it was never reached by name", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const id = env.USERS.idFromName(JSON.stringify([tenantId, "kim"]));
    const bare = env.USERS.get(env.USERS.idFromString(id.toString()));
    expect(await failure(() => bare.status(undefined, "kim@example.test"))).toMatch(/without its name and has no stored identity/);
    expect(await failure(() => bare.unlock(origin, "bootstrap"))).toMatch(/no stored identity/);
    expect(await failure(() => bare.pendingEvents())).toMatch(/no stored identity/);

    // Reached by its name now: it holds nothing of the refused calls, and has no alarm set.
    const named = userState(env, tenantId, "kim");
    const stored = await runInDurableObject(named, async (_, state) => ({
      audit: state.storage.sql.exec("SELECT count(*) AS n FROM audit").one().n,
      profile: state.storage.sql.exec("SELECT count(*) AS n FROM profile").one().n,
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored).toEqual({ audit: 0, profile: 0, alarm: null });
    expect(await tenantAudit("")).toEqual([]);
    expect(await tenantState(env, tenantId).directoryEntry("kim")).toBeNull();
  });
});

describe("the tenant's object", () => {
  const row = (userId: string, version: number) => ({
    userId,
    email: null,
    factors: [],
    pendingUntil: 0,
    required: null,
    lockedUntil: 0,
    enrolledAt: null,
    firstSeenAt: Date.now(),
    lastSeenAt: null,
    version,
  });

  it("refuses messages meant for another tenant, and stores nothing of the call", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const tenant = tenantState(env, tenantId);
    expect(await failure(() => tenant.storeEvents("", [anEvent("", "lou")]))).toMatch(/refuses records for tenant ""/);
    expect(await failure(() => tenant.storeEvents(`${tenantId}x`, [anEvent(`${tenantId}x`, "lou")]))).toMatch(/refuses records for tenant/);
    // One foreign message among its own: none of them is stored.
    expect(await failure(() => tenant.storeEvents(tenantId, [anEvent(tenantId, "lou"), anEvent(`${tenantId}x`, "lou")]))).toMatch(/refuses records for tenant/);
    const directory = { kind: "directory" as const, id: `d-${"a".repeat(64)}-1`, tenantId: "", row: row("lou", 1) };
    expect(await failure(() => tenant.storeEvents(tenantId, [directory]))).toMatch(/refuses records for tenant ""/);
    expect(await tenantAudit(tenantId)).toEqual([]);
    expect(await tenant.directoryEntry("lou")).toBeNull();
  });

  it("stores an event once by its id, and keeps a user's newest directory version", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const tenant = tenantState(env, tenantId);
    const [first, second] = [anEvent(tenantId, "mia"), anEvent(tenantId, "mia")];
    expect(await tenant.storeEvents(tenantId, [first!, second!])).toEqual({ stored: 2 });
    // Delivered again: no new entry.
    expect(await tenant.storeEvents(tenantId, [second!])).toEqual({ stored: 0 });
    expect(await tenantAudit(tenantId, "mia")).toHaveLength(2);
    const change = (version: number) => ({
      kind: "directory" as const,
      id: `d-${"a".repeat(64)}-${version}`,
      tenantId,
      row: { ...row("mia", version), lockedUntil: version },
    });
    await tenant.storeEvents(tenantId, [change(3)]);
    // A late, older version changes nothing.
    await tenant.storeEvents(tenantId, [change(2)]);
    expect(
      await runInDurableObject(tenant, (_, state) => state.storage.sql.exec("SELECT version, locked_until FROM directory WHERE user_id = 'mia'").one()),
    ).toEqual({ version: 3, locked_until: 3 });
  });

  it("refuses every call when it was never reached by name", async () => {
    const id = env.TENANTS.idFromName(`t-${crypto.randomUUID()}`);
    const bare = env.TENANTS.get(env.TENANTS.idFromString(id.toString()));
    expect(await failure(() => bare.audit(auditQuery()))).toMatch(/TenantState .* no stored identity/);
  });
});
