/**
 * Per-IP limits and the client address. A request without `CF-Connecting-IP` (nothing sets it
 * off Cloudflare) is counted per user, never in one bucket shared by every such request, so no
 * client can use up everyone's verifications or sends. An IPv6 client is counted by its /64,
 * so rotating through the addresses of its own network buys it nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketShard, clientNetwork, perIpBucket } from "../../src/lib/client-ip";
import { usersSync } from "../support/admin";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { challengeFor, enrollTotpViaApi, postJson } from "../support/step-up";

const PER_IP = 2;
const aTenantLimitingIps = () =>
  aTenant(
    aPolicy({
      operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
      lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour: PER_IP },
    }),
  );

/** A user with an authenticator app and an open challenge for `withdraw`. */
async function aChallengedUser(base: string, sub: string) {
  const token = await aSession({ sub });
  const { backupCodes } = await enrollTotpViaApi(base, token);
  return { token, backupCodes, challenge: await challengeFor(`${base}/echo/withdraw`, token) };
}

async function wrongAnswer(base: string, user: { token: string; challenge: string }, from: Record<string, string> = {}): Promise<number> {
  const response = await postJson(`${base}/__stepgate/api/challenges/${user.challenge}/verify`, user.token, { factor: "backup_code", code: "zzzz-0000" }, from);
  return response.status;
}

describe("requests without a client address", () => {
  it("cannot lock other users out of verification", async () => {
    const { base, tenantId } = await aTenantLimitingIps();
    const noisy = await aChallengedUser(base, "noisy");
    const quiet = await aChallengedUser(base, "quiet");
    const noisyAnswers = [];
    for (let i = 0; i < PER_IP + 1; i++) noisyAnswers.push(await wrongAnswer(base, noisy));
    expect(noisyAnswers).toEqual([400, 400, 429]);
    // Another user, also without an address: their own answers, wrong then right, are judged as usual.
    expect(await wrongAnswer(base, quiet)).toBe(400);
    const right = await postJson(`${base}/__stepgate/api/challenges/${quiet.challenge}/verify`, quiet.token, {
      factor: "backup_code",
      code: quiet.backupCodes[0],
    });
    expect(right.status).toBe(200);
    await usersSync(tenantId, "noisy", "quiet");
  });

  it("cannot use up other users' sends", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ factors: { sms: { enabled: true } }, sendLimits: { perIpPerHour: PER_IP, perTenantPerHour: 100 } }));
    const statuses = [];
    for (const sub of ["s1", "s2", "s3", "s4", "s5"]) {
      statuses.push((await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession({ sub }), { phone: "+14155552671" })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201]);
    await usersSync(tenantId, "s1", "s2", "s3", "s4", "s5");
  });
});

describe("IPv6 clients", () => {
  it("share one per-IP bucket across their /64, and not with the next /64", async () => {
    const { base, tenantId } = await aTenantLimitingIps();
    const users = await Promise.all(["v1", "v2", "v3", "v4"].map((sub) => aChallengedUser(base, sub)));
    const sameNetwork = ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:DB8:0001:0002:0:0:0:abcd"];
    const statuses = [];
    for (const [i, ip] of sameNetwork.entries()) statuses.push(await wrongAnswer(base, users[i]!, { "CF-Connecting-IP": ip }));
    expect(statuses).toEqual([400, 400, 429]);
    expect(await wrongAnswer(base, users[3]!, { "CF-Connecting-IP": "2001:db8:1:3::1" })).toBe(400);
    await usersSync(tenantId, "v1", "v2", "v3", "v4");
  });
});

/** Eight hextets written as a client or proxy might: any case, padded or not, one run of zeros as `::`. */
const aSpelling = (hextets: number[]) =>
  fc.record({ upper: fc.boolean(), pad: fc.boolean(), from: fc.nat(7), length: fc.nat(8) }).map(({ upper, pad, from, length }) => {
    const parts = hextets.map((h) => (pad ? h.toString(16).padStart(4, "0") : h.toString(16)));
    // `::` may stand for any run of zero hextets (here: the longest run of zeros starting at `from`, up to `length`).
    let end = from;
    while (end < 8 && end - from < length && hextets[end] === 0) end++;
    const text = end > from ? `${parts.slice(0, from).join(":")}::${parts.slice(end).join(":")}` : parts.join(":");
    return upper ? text.toUpperCase() : text;
  });
const aHextet = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
/** A global unicast prefix (2000::/3): never the IPv4-mapped range. */
const aPrefix = fc.tuple(fc.integer({ min: 0x2000, max: 0x3fff }), aHextet, aHextet, aHextet);
const aSuffix = fc.tuple(aHextet, aHextet, aHextet, aHextet);

describe("clientNetwork (property)", () => {
  it("gives every address of one /64, in any spelling, the same network", () => {
    fc.assert(
      fc.property(
        aPrefix.chain((prefix) => fc.tuple(aSuffix, aSuffix).chain(([a, b]) => fc.tuple(aSpelling([...prefix, ...a]), aSpelling([...prefix, ...b])))),
        ([a, b]) => {
          expect(clientNetwork(a)).toMatch(/::\/64$/);
          expect(clientNetwork(a)).toBe(clientNetwork(b));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("gives addresses of different /64s different networks", () => {
    fc.assert(
      fc.property(aPrefix, aPrefix, aSuffix, (p, q, suffix) => {
        fc.pre(p.some((h, i) => h !== q[i]));
        expect(clientNetwork([...p, ...suffix].map((h) => h.toString(16)).join(":"))).not.toBe(
          clientNetwork([...q, ...suffix].map((h) => h.toString(16)).join(":")),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:c000:201", "192.0.2.1"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("reads %j as %j", (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it.each([null, "", "unknown", "203.0.113.7, 198.51.100.1", "300.1.2.3", "1.2.3", "2001:db8::1::2", "2001:db8::1%eth0", "[2001:db8::1]", "example.com"])(
    "reads %j as no address",
    (address) => {
      expect(clientNetwork(address)).toBeNull();
    },
  );
});

describe("the bucket a request is counted in", () => {
  const bucketOf = (address: string | null) =>
    perIpBucket(new Request("https://p.test/", { headers: address === null ? {} : { "CF-Connecting-IP": address } }), "ann");

  it("counts a client by its network, and by its user when it has no address", () => {
    expect(bucketOf("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(bucketOf("2001:db8:1:2::7")).toBe("ip:2001:db8:1:2::/64");
    expect(bucketOf(null)).toBe("user:ann");
  });

  it.each(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])(
    "counts loopback %s (every request under wrangler dev) by its user, not as one address shared by all",
    (address) => {
      expect(bucketOf(address)).toBe("user:ann");
    },
  );
});

describe("the network whose buckets share an address-limit object", () => {
  it.each([
    ["ip:203.0.113.7", "203.0.113.0/24"],
    ["ip:203.0.113.255", "203.0.113.0/24"],
    ["ip:2001:db8:1:2::/64", "2001:db8:1:0::/56"],
    ["ip:2001:db8:1:2ab::/64", "2001:db8:1:200::/56"],
    ["ip:2001:db8:0:0::/64", "2001:db8:0:0::/56"],
    ["user:ann", "user:ann"],
    ["user:ip:203.0.113.7", "user:ip:203.0.113.7"],
  ])("keeps %j with %j", (bucket, shard) => {
    expect(bucketShard(bucket)).toBe(shard);
  });

  it("gives every address of a /24, and every /64 of a /56, in any spelling, one network (property)", () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(ipv4, fc.nat(255), fc.nat(255), ([a, b, c], d, e) => {
        const bucket = (last: number) => perIpBucket(new Request("https://p.test/", { headers: { "CF-Connecting-IP": `${a}.${b}.${c}.${last}` } }), "ann");
        fc.pre(a !== 127);
        expect(bucketShard(bucket(d))).toBe(bucketShard(bucket(e)));
        expect(bucketShard(bucket(d))).toBe(`${a}.${b}.${c}.0/24`);
      }),
    );
    fc.assert(
      fc.property(aPrefix, fc.nat(255), aSuffix, aSuffix, (prefix, low, a, b) => {
        const network = (hextets: number[]) => `ip:${clientNetwork(hextets.map((h) => h.toString(16)).join(":"))}`;
        const sibling = [...prefix.slice(0, 3), (prefix[3]! & 0xff00) | low];
        expect(bucketShard(network([...prefix, ...a]))).toBe(bucketShard(network([...sibling, ...b])));
        expect(bucketShard(network([...prefix, ...a]))).toMatch(/::\/56$/);
      }),
    );
  });
});
