import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import { adoptPolicy, POLICY_CACHE_MS, tenantForHost } from "../../src/config/policy-cache";
import { ProblemError } from "../../src/lib/problem";
import { aPolicy } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";

/** A KV stand-in that counts reads and can be made to fail, for timing and fault cases the real one cannot show. */
function countingKv(entries: Record<string, string>) {
  const kv = {
    reads: 0,
    failing: false,
    entries: new Map(Object.entries(entries)),
    async get(key: string) {
      kv.reads++;
      if (kv.failing) throw new Error("KV unavailable");
      return kv.entries.get(key) ?? null;
    },
  };
  return kv;
}

/** The test worker's rules: its origins listen on loopback. */
const DEV = { development: true };

let hosts = 0;
function aHost(tenantId: string, policy: object = aPolicy()) {
  const hostname = `cache-${++hosts}-${crypto.randomUUID().slice(0, 6)}.test`;
  const kv = countingKv({ [kvKeys.host(hostname)]: tenantId, [kvKeys.policy(tenantId)]: JSON.stringify(policy) });
  return { hostname, kv, asKv: kv as unknown as KVNamespace };
}

describe("the isolate's policy cache", () => {
  it("lets one request refresh an old entry while the others use the old copy", async () => {
    const { hostname, kv, asKv } = aHost("refresh");
    await tenantForHost(asKv, hostname, 0, DEV);
    expect(kv.reads).toBe(2);
    const later = POLICY_CACHE_MS + 1;
    const configs = await Promise.all(Array.from({ length: 20 }, () => tenantForHost(asKv, hostname, later, DEV)));
    expect(configs.every((config) => config?.tenantId === "refresh")).toBe(true);
    expect(kv.reads).toBe(4); // one refresh: the host entry and the policy
  });

  it("reads KV once per cache period", async () => {
    const { hostname, kv, asKv } = aHost("cache-a");
    const t0 = 1_000_000;
    await tenantForHost(asKv, hostname, t0, DEV);
    await tenantForHost(asKv, hostname, t0 + POLICY_CACHE_MS - 1, DEV);
    expect(kv.reads).toBe(2); // host key + policy key, once
    await tenantForHost(asKv, hostname, t0 + POLICY_CACHE_MS, DEV);
    expect(kv.reads).toBe(4);
  });

  it("picks up a changed policy after the cache period", async () => {
    const { hostname, kv, asKv } = aHost("cache-b", aPolicy({ enabled: false }));
    const first = await tenantForHost(asKv, hostname, 0, DEV);
    expect(first?.status === "ok" && first.policy.enabled).toBe(false);
    kv.entries.set(kvKeys.policy("cache-b"), JSON.stringify(aPolicy({ enabled: true })));
    const cached = await tenantForHost(asKv, hostname, 1, DEV);
    expect(cached?.status === "ok" && cached.policy.enabled).toBe(false);
    const fresh = await tenantForHost(asKv, hostname, POLICY_CACHE_MS + 1, DEV);
    expect(fresh?.status === "ok" && fresh.policy.enabled).toBe(true);
  });

  it("serves the last copy it had while KV fails, then retries", async () => {
    const { hostname, kv, asKv } = aHost("cache-c");
    await tenantForHost(asKv, hostname, 0, DEV);
    kv.failing = true;
    const stale = await tenantForHost(asKv, hostname, POLICY_CACHE_MS + 1, DEV);
    expect(stale?.status).toBe("ok");
    const readsAfterFailure = kv.reads;
    await tenantForHost(asKv, hostname, POLICY_CACHE_MS + 2, DEV);
    expect(kv.reads).toBe(readsAfterFailure); // not hammering KV while it is down
  });

  it("answers 503 policy_unavailable when KV fails and there is no copy", async () => {
    const { hostname, kv, asKv } = aHost("cache-d");
    kv.failing = true;
    const errors = expectErrorLogs();
    const error = await tenantForHost(asKv, hostname, 0, DEV).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(503);
    expect((error as ProblemError).code).toBe("policy_unavailable");
    expect(errors).toHaveBeenCalledWith("stepgate: policy load failed", hostname, expect.objectContaining({ message: "KV unavailable" }));
  });

  it("applies an admin write to every host of the tenant at once", async () => {
    const { hostname, asKv } = aHost("cache-e", aPolicy({ enabled: false }));
    await tenantForHost(asKv, hostname, 0, DEV);
    adoptPolicy("cache-e", JSON.stringify(aPolicy({ enabled: true })), 1, DEV);
    const after = await tenantForHost(asKv, hostname, 2, DEV);
    expect(after?.status === "ok" && after.policy.enabled).toBe(true);
  });

  it("returns null for a host no tenant claims", async () => {
    const kv = countingKv({});
    expect(await tenantForHost(kv as unknown as KVNamespace, "nobody.test", 0, DEV)).toBeNull();
  });
});

describe("the policy cache under concurrent first requests", () => {
  it("answers twenty requests arriving together on a tenant not yet cached", async () => {
    const { send, aTenant } = await import("../support/builders");
    const { base } = await aTenant();
    const responses = await Promise.all(Array.from({ length: 20 }, () => send(`${base}/echo/x`)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});
