/**
 * The per-IP limit on wrong answers (`lockout.perIpPerHour`) is counted in one Durable Object per
 * tenant and client network (an IPv4 /24, an IPv6 /56, a user without an address), never in the
 * tenant's: the same address always lands on the same object, parallel attempts never get past
 * the limit, a verification calls no tenant-wide object, and an idle object keeps nothing.
 */
import { env, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type CallCounts, countingEnv, noCalls } from "../../bench/counting-env";
import { HOUR_MS } from "../../src/state/hourly-attempts";
import { addressLimitState } from "../../src/state/address-limit";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { challengeFor, enrollTotpViaApi, postJson } from "../support/step-up";
import { totpCode } from "../support/totp";

const PER_IP = 2;
const aTenantLimitingIps = (perIpPerHour = PER_IP) =>
  aTenant(
    aPolicy({
      operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
      lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour },
    }),
  );
const origin = { ip: "192.0.2.1", userAgent: null };

/** A user with an authenticator app and an open challenge for `withdraw`. */
async function aChallengedUser(base: string, sub: string) {
  const token = await aSession({ sub, sid: sub });
  const enrolled = await enrollTotpViaApi(base, token);
  return { token, ...enrolled, challenge: await challengeFor(`${base}/echo/withdraw`, token) };
}

/** A wrong answer to the user's challenge, from `address` (none: no `CF-Connecting-IP`); its problem code. */
async function wrongAnswer(base: string, user: { token: string; challenge: string }, address: string | null): Promise<string> {
  const from: Record<string, string> = address === null ? {} : { "CF-Connecting-IP": address };
  const response = await postJson(`${base}/__stepgate/api/challenges/${user.challenge}/verify`, user.token, { factor: "backup_code", code: "zzzz-0000" }, from);
  return (await response.json<{ code: string }>()).code;
}

/** The attempts an address-limit object holds, by bucket. */
function countedBuckets(tenantId: string, bucket: string): Promise<Record<string, number>> {
  return runInDurableObject(addressLimitState(env, tenantId, bucket), (_, state) =>
    Object.fromEntries(
      state.storage.sql
        .exec<{ ip: string; n: number }>("SELECT ip, count(*) AS n FROM verify_attempts GROUP BY ip ORDER BY ip")
        .toArray()
        .map((row) => [row.ip, row.n]),
    ),
  );
}

const idsOf = async () => new Set((await listDurableObjectIds(env.ADDRESS_LIMITS)).map((id) => id.toString()));

describe("one address-limit object per tenant and client network", () => {
  it("counts the addresses of one /24 in one object, each apart, and another /24 in another object", async () => {
    const { base, tenantId } = await aTenantLimitingIps();
    const users = await Promise.all(["n1", "n2", "n3", "n4"].map((sub) => aChallengedUser(base, sub)));
    const before = await idsOf();
    expect(await wrongAnswer(base, users[0]!, "203.0.113.7")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[1]!, "203.0.113.8")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[2]!, "198.51.100.7")).toBe("invalid_code");

    const created = [...(await idsOf())].filter((id) => !before.has(id)).sort();
    const sameNetwork = addressLimitState(env, tenantId, "ip:203.0.113.7").id.toString();
    expect(addressLimitState(env, tenantId, "ip:203.0.113.250").id.toString()).toBe(sameNetwork);
    expect(created).toEqual([sameNetwork, addressLimitState(env, tenantId, "ip:198.51.100.7").id.toString()].sort());
    expect(await countedBuckets(tenantId, "ip:203.0.113.7")).toEqual({ "ip:203.0.113.7": 1, "ip:203.0.113.8": 1 });
    expect(await countedBuckets(tenantId, "ip:198.51.100.7")).toEqual({ "ip:198.51.100.7": 1 });

    // The limit holds per address, across users, whatever its neighbours do.
    expect(await wrongAnswer(base, users[3]!, "203.0.113.7")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[1]!, "203.0.113.7")).toBe("ip_rate_limited");
    expect(await wrongAnswer(base, users[3]!, "203.0.113.8")).toBe("invalid_code");
    // Another tenant's users at the same address are counted in that tenant's own object.
    expect(addressLimitState(env, `${tenantId}-other`, "ip:203.0.113.7").id.toString()).not.toBe(sameNetwork);
  });

  it("never lets parallel attempts past the limit, whether sent to the object or through the worker", async () => {
    const limits = addressLimitState(env, `t-${crypto.randomUUID()}`, "ip:192.0.2.1");
    const taken = await Promise.all(Array.from({ length: 30 }, () => limits.takeAttempt("ip:192.0.2.1", 7, origin)));
    expect(taken.filter((attempt) => attempt.ok)).toHaveLength(7);

    const { base } = await aTenantLimitingIps(3);
    const users = await Promise.all(["p1", "p2", "p3", "p4"].map((sub) => aChallengedUser(base, sub)));
    const codes = await Promise.all(users.flatMap((user) => ["192.0.2.20", "192.0.2.21"].flatMap((ip) => [0, 1].map(() => wrongAnswer(base, user, ip)))));
    expect(codes.filter((code) => code === "invalid_code")).toHaveLength(6);
    expect(codes.filter((code) => code === "ip_rate_limited")).toHaveLength(10);
  });

  it("buckets IPv6 clients by /64 and keeps the /64s of one /56 in one object", async () => {
    const { base, tenantId } = await aTenantLimitingIps();
    const users = await Promise.all(["v1", "v2", "v3", "v4"].map((sub) => aChallengedUser(base, sub)));
    expect(await wrongAnswer(base, users[0]!, "2001:db8:1:2::1")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[1]!, "2001:DB8:1:2:ffff::9")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[2]!, "2001:db8:1:3::1")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[3]!, "2001:db8:1:100::1")).toBe("invalid_code");
    expect(await wrongAnswer(base, users[3]!, "2001:db8:1:2::77")).toBe("ip_rate_limited");

    const object = (bucket: string) => addressLimitState(env, tenantId, bucket).id.toString();
    expect(object("ip:2001:db8:1:3::/64")).toBe(object("ip:2001:db8:1:2::/64"));
    expect(object("ip:2001:db8:1:100::/64")).not.toBe(object("ip:2001:db8:1:2::/64"));
    expect(await countedBuckets(tenantId, "ip:2001:db8:1:2::/64")).toEqual({ "ip:2001:db8:1:2::/64": 2, "ip:2001:db8:1:3::/64": 1 });
    expect(await countedBuckets(tenantId, "ip:2001:db8:1:100::/64")).toEqual({ "ip:2001:db8:1:100::/64": 1 });
  });

  it("counts a request without an address per user, each in an object of its own", async () => {
    const { base, tenantId } = await aTenantLimitingIps();
    const [ann, bob] = await Promise.all(["ann", "bob"].map((sub) => aChallengedUser(base, sub)));
    expect(await wrongAnswer(base, ann!, null)).toBe("invalid_code");
    expect(await wrongAnswer(base, bob!, null)).toBe("invalid_code");
    expect(addressLimitState(env, tenantId, "user:ann").id.toString()).not.toBe(addressLimitState(env, tenantId, "user:bob").id.toString());
    expect(await countedBuckets(tenantId, "user:ann")).toEqual({ "user:ann": 1 });
    expect(await countedBuckets(tenantId, "user:bob")).toEqual({ "user:bob": 1 });
  });

  it("refuses to count a bucket of another network", async () => {
    const limits = addressLimitState(env, `t-${crypto.randomUUID()}`, "ip:203.0.113.1");
    // Awaited in a try (not `rejects`), so the RPC promise is never left unhandled.
    let refused = "no error";
    try {
      await limits.takeAttempt("ip:198.51.100.1", 10, origin);
    } catch (error) {
      refused = String(error);
    }
    expect(refused).toMatch(/refuses bucket "ip:198.51.100.1"/);
    expect(await limits.takeAttempt("ip:203.0.113.99", 10, origin)).toMatchObject({ ok: true });
  });

  it("refuses to act when reached without its name and none stored", async () => {
    const nameless = env.ADDRESS_LIMITS.get(env.ADDRESS_LIMITS.newUniqueId());
    let refused = "no error";
    try {
      await nameless.takeAttempt("ip:203.0.113.1", 10, origin);
    } catch (error) {
      refused = String(error);
    }
    expect(refused).toMatch(/was reached without its name and has no stored identity/);
  });
});

describe("a verification's calls", () => {
  it("reach the user's object and the client network's object, never the tenant's", async () => {
    const { default: worker } = await import("../../src/index");
    const { base, tenantId } = await aTenantLimitingIps(1);
    const user = await aChallengedUser(base, "counted");
    const counts: CallCounts = noCalls();
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => pending.push(promise), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const answer = async (code: string, address: string) => {
      const request = new Request(`${base}/__stepgate/api/challenges/${user.challenge}/verify`, {
        method: "POST",
        headers: { Cookie: `portal_session=${user.token}`, "Content-Type": "application/json", "CF-Connecting-IP": address },
        body: JSON.stringify({ factor: "totp", code }),
      });
      const response = await worker.fetch(request, countingEnv(env, counts), ctx);
      await Promise.all(pending.splice(0));
      return response.status;
    };
    // Wrong, refused by the per-IP limit, then right from another network (its attempt forgotten after the answer).
    const wrong = totpCode(user.secret, user.enrolledAt - 10 * 60_000);
    expect(await answer(wrong, "203.0.113.40")).toBe(400);
    expect(await answer(wrong, "203.0.113.40")).toBe(429);
    expect(await answer(totpCode(user.secret, user.enrolledAt + 30_000), "198.51.100.40")).toBe(200);

    const network = (shard: string) => `ADDRESS_LIMITS ${JSON.stringify([tenantId, shard])}`;
    expect(counts.byObject.request).toEqual({
      [network("203.0.113.0/24")]: 2,
      [network("198.51.100.0/24")]: 2,
      [`USERS ${JSON.stringify([tenantId, "counted"])}`]: 2,
    });
    expect(counts.byObject.object).toEqual({});
  });
});

describe("an idle address-limit object", () => {
  const tables = (tenantId: string, bucket: string) =>
    runInDurableObject(addressLimitState(env, tenantId, bucket), (_, state) =>
      state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'sqlite_sequence'")
        .toArray()
        .map((row) => row.name),
    );
  const alarmOf = (tenantId: string, bucket: string) => runInDurableObject(addressLimitState(env, tenantId, bucket), (_, state) => state.storage.getAlarm());

  it("deletes its storage once its attempts are forgotten or an hour old, and counts again from nothing when next used", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const limits = addressLimitState(env, tenantId, "ip:192.0.2.50");
    const first = await limits.takeAttempt("ip:192.0.2.50", 2, origin);
    const second = await limits.takeAttempt("ip:192.0.2.51", 2, origin);
    expect(first.ok && second.ok).toBe(true);
    // The alarm is set for when the first attempt is an hour old.
    expect(await alarmOf(tenantId, "ip:192.0.2.50")).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
    if (first.ok) await limits.forgetAttempt(first.id);
    // One attempt still counts: the alarm keeps it, and rings again when it is an hour old.
    expect(await runDurableObjectAlarm(limits)).toBe(true);
    expect(await tables(tenantId, "ip:192.0.2.50")).toContain("verify_attempts");
    expect(await alarmOf(tenantId, "ip:192.0.2.50")).toBeGreaterThan(Date.now());

    await runInDurableObject(limits, (_, state) => {
      state.storage.sql.exec("UPDATE verify_attempts SET at = at - ?", HOUR_MS);
    });
    expect(await runDurableObjectAlarm(limits)).toBe(true);
    expect(await tables(tenantId, "ip:192.0.2.50")).toEqual([]);
    expect(await alarmOf(tenantId, "ip:192.0.2.50")).toBeNull();

    expect(await limits.takeAttempt("ip:192.0.2.50", 1, origin)).toMatchObject({ ok: true });
    expect(await limits.takeAttempt("ip:192.0.2.50", 1, origin)).toMatchObject({ ok: false });
    expect(await countedBuckets(tenantId, "ip:192.0.2.50")).toEqual({ "ip:192.0.2.50": 1 });
  });

  it("keeps a refusal tally until its minute is over and it is published", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const limits = addressLimitState(env, tenantId, "ip:192.0.2.60");
    await limits.takeAttempt("ip:192.0.2.60", 1, origin);
    expect(await limits.takeAttempt("ip:192.0.2.60", 1, origin)).toMatchObject({ ok: false });
    await runInDurableObject(limits, (_, state) => {
      state.storage.sql.exec("DELETE FROM verify_attempts");
    });
    expect(await runDurableObjectAlarm(limits)).toBe(true);
    expect(await tables(tenantId, "ip:192.0.2.60")).toContain("refusals");
    expect(await alarmOf(tenantId, "ip:192.0.2.60")).not.toBeNull();
  });
});
