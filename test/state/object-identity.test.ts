/**
 * A Durable Object knows whose it is without its name: woken by its alarm after a restart, or
 * reached through `idFromString`, it reads its identity from its own storage; with none stored
 * it refuses to act at all, rather than writing under a guessed (empty) identity. The tenant's
 * object stores records only for itself, and a user's batch counts as sent only by its receipt.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { AuditQuery, TenantAuditEntry } from "../../src/api/admin-schemas";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";

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
  it("syncs to its own tenant when woken by its alarm after being reached by name once", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const named = userState(env, tenantId, "ida");
    await named.status(undefined, "ida@example.test");
    await named.unlock(origin, "bootstrap");
    await evict(named);

    const bare = nameless(named, env.USERS);
    expect(await runInDurableObject(bare, (_, state) => state.id.name)).toBeUndefined();
    await runDurableObjectAlarm(bare);

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
    await userState(env, tenantId, "jon").syncToTenant();
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
    expect((await tenantAudit(tenantId, "lia")).map((e) => e.type)).toEqual(["lockout.cleared"]);
  });

  it("refuses every call, and writes nothing, when it was never reached by name", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const id = env.USERS.idFromName(JSON.stringify([tenantId, "kim"]));
    const bare = env.USERS.get(env.USERS.idFromString(id.toString()));
    expect(await failure(() => bare.status(undefined, "kim@example.test"))).toMatch(/without its name and has no stored identity/);
    expect(await failure(() => bare.unlock(origin, "bootstrap"))).toMatch(/no stored identity/);
    expect(await failure(() => bare.syncToTenant())).toMatch(/no stored identity/);

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
  const record = (userId: string, userSeq: number) => ({ at: Date.now(), type: "verify.failed", userId, userSeq, actor: null, origin, detail: {} });

  it("refuses a batch or a directory row meant for another tenant, and stores nothing of it", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const tenant = tenantState(env, tenantId);
    expect(await failure(() => tenant.appendAudit({ tenantId: "", userId: "lou", records: [record("lou", 1)] }))).toMatch(/refuses records for tenant ""/);
    expect(await failure(() => tenant.appendAudit({ tenantId: `${tenantId}x`, userId: "lou", records: [record("lou", 1)] }))).toMatch(
      /refuses records for tenant/,
    );
    const row = {
      userId: "lou",
      email: null,
      factors: [],
      pendingUntil: 0,
      required: null,
      lockedUntil: 0,
      enrolledAt: null,
      firstSeenAt: Date.now(),
      lastSeenAt: null,
      version: 1,
    };
    expect(await failure(() => tenant.updateDirectory("", row))).toMatch(/refuses records for tenant ""/);
    expect(await tenantAudit(tenantId)).toEqual([]);
    expect(await tenant.directoryEntry("lou")).toBeNull();
  });

  it("answers what it stored: the highest sequence number of the batch, and the directory's version", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const tenant = tenantState(env, tenantId);
    expect(await tenant.appendAudit({ tenantId, userId: "mia", records: [record("mia", 1), record("mia", 2)] })).toEqual({ storedUpToSeq: 2 });
    // A resend is no new entry, and still confirmed.
    expect(await tenant.appendAudit({ tenantId, userId: "mia", records: [record("mia", 2)] })).toEqual({ storedUpToSeq: 2 });
    expect(await tenantAudit(tenantId, "mia")).toHaveLength(2);
    expect(await failure(() => tenant.appendAudit({ tenantId, userId: "mia", records: [record("ned", 3)] }))).toMatch(/only its own user's/);
    const row = {
      userId: "mia",
      email: null,
      factors: [],
      pendingUntil: 0,
      required: null,
      lockedUntil: 0,
      enrolledAt: null,
      firstSeenAt: Date.now(),
      lastSeenAt: null,
      version: 3,
    };
    expect(await tenant.updateDirectory(tenantId, row)).toBe(3);
    expect(await tenant.updateDirectory(tenantId, { ...row, version: 2 })).toBe(3);
  });

  it("refuses every call when it was never reached by name", async () => {
    const id = env.TENANTS.idFromName(`t-${crypto.randomUUID()}`);
    const bare = env.TENANTS.get(env.TENANTS.idFromString(id.toString()));
    expect(await failure(() => bare.audit(auditQuery()))).toMatch(/TenantState .* no stored identity/);
  });
});

describe("a user's batch", () => {
  it("stays due while the tenant's object refuses it, and is sent once it takes it", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const tenant = tenantState(env, tenantId);
    // The tenant's object refusing (RPC entry points cannot be replaced, the step they call can).
    await runInDurableObject(tenant, (instance) => {
      Object.assign(instance, {
        refuseForeign: () => {
          throw new Error("refused by the test");
        },
      });
    });
    const user = userState(env, tenantId, "ona");
    await user.unlock(origin, "bootstrap");
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await runDurableObjectAlarm(user);
      expect(logged).toHaveBeenCalledWith("stepgate: sync to the tenant failed; retrying", expect.anything());
    } finally {
      logged.mockRestore();
    }
    expect(
      await runInDurableObject(user, (_, state) => state.storage.sql.exec("SELECT value FROM settings WHERE name = 'audit_shipped_seq'").toArray()),
    ).toEqual([]);
    await runInDurableObject(tenant, (instance) => {
      delete (instance as unknown as Record<string, unknown>).refuseForeign;
    });
    await runDurableObjectAlarm(user);
    expect((await tenantAudit(tenantId, "ona")).map((e) => e.type)).toEqual(["lockout.cleared"]);
  });
});
