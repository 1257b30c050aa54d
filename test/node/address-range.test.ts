/**
 * The address classifier against an independent reader: Node's `net.BlockList`, loaded with
 * the ranges stepgate refuses, judges generated IPv4 and IPv6 addresses — each IPv4 one spelled
 * several ways (dotted, one number, hex, octal, short forms), parsed as `fetch` would parse it.
 */
import { BlockList, isIPv4 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressRange } from "../../src/config/address-range";

const RUNS = 2_000;

const IPV4_REFUSED = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
];
const IPV6_REFUSED = [
  "::/96",
  "::ffff:0:0/96",
  "::ffff:0:0:0/96",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/32",
  "2001:db8::/32",
  "2002::/16",
  "3fff::/20",
  "5f00::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
];

/** Two lists: one BlockList would also judge IPv4 addresses by its IPv6 rules (as `::a.b.c.d`). */
const blockListOf = (cidrs: string[], type: "ipv4" | "ipv6") => {
  const list = new BlockList();
  for (const cidr of cidrs) list.addSubnet(cidr.split("/")[0]!, Number(cidr.split("/")[1]), type);
  return list;
};
const ipv4Reference = blockListOf(IPV4_REFUSED, "ipv4");
const ipv6Reference = blockListOf(IPV6_REFUSED, "ipv6");

/** The hostname the WHATWG URL parser (as in `fetch`) makes of `host`. */
const hostnameOf = (host: string) => new URL(`http://${host}/`).hostname;

/** An IPv4 address, weighted towards the edges of the refused ranges. */
const anIpv4 = fc.oneof(
  fc.nat({ max: 0xffff_ffff }),
  fc.tuple(fc.constantFrom(...IPV4_REFUSED), fc.integer({ min: -2, max: 2 }), fc.boolean()).map(([cidr, nudge, atEnd]) => {
    const [address, bits] = cidr.split("/") as [string, string];
    const start = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const edge = atEnd ? start + 2 ** (32 - Number(bits)) - 1 : start;
    return (edge + nudge + 2 ** 32) % 2 ** 32;
  }),
);

const octetsOf = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** Spellings the WHATWG IPv4 parser (and inet_aton) reads as the same address. */
const spellings = (n: number): string[] => {
  const [a, b, c, d] = octetsOf(n) as [number, number, number, number];
  return [
    `${a}.${b}.${c}.${d}`,
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    `${a}.${(b << 16) | (c << 8) | d}`,
    `0x${a.toString(16)}.${b}.0${c.toString(8)}.${d}`,
    `${a}.${b}.${(c << 8) | d}.`,
  ];
};

describe("the address classifier against net.BlockList", () => {
  it(`refuses an IPv4 address, however spelled, exactly when the block list does (${RUNS} cases × 7 spellings)`, () => {
    fc.assert(
      fc.property(anIpv4, (n) => {
        const dotted = octetsOf(n).join(".");
        const blocked = ipv4Reference.check(dotted, "ipv4");
        for (const spelling of spellings(n)) {
          const hostname = hostnameOf(spelling);
          expect(isIPv4(hostname), spelling).toBe(true);
          expect(addressRange(hostname) !== null, `${spelling} → ${hostname}`).toBe(blocked);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses an IPv6 address exactly when the block list does (${RUNS} cases)`, () => {
    const group = fc.nat({ max: 0xffff });
    const anIpv6 = fc.oneof(
      fc.array(group, { minLength: 8, maxLength: 8 }),
      // Prefixes of the refused ranges and of IPv4-mapped, NAT64 and 6to4 forms, then anything.
      fc
        .tuple(
          fc.constantFrom(
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0xffff],
            [0, 0, 0, 0, 0xffff, 0],
            [0x64, 0xff9b, 0, 0, 0, 0],
            [0x64, 0xff9b, 1],
            [0x100, 0, 0, 0],
            [0x2001, 0],
            [0x2001, 0xdb8],
            [0x2002],
            [0x3fff],
            [0x3fff, 0x0fff],
            [0x3fff, 0x1000],
            [0x5f00],
            [0x5eff],
            [0xfc00],
            [0xfdff],
            [0xfe80],
            [0xfebf],
            [0xfec0],
            [0xff02],
            [0, 0, 0, 0, 0, 0, 0],
          ),
          fc.array(group, { minLength: 8, maxLength: 8 }),
        )
        .map(([prefix, rest]) => [...prefix, ...rest].slice(0, 8)),
      fc.constantFrom([0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0]),
    );
    fc.assert(
      fc.property(anIpv6, fc.boolean(), (groups, dottedTail) => {
        const written = dottedTail
          ? `${groups
              .slice(0, 6)
              .map((g) => g.toString(16))
              .join(":")}:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`
          : groups.map((g) => g.toString(16)).join(":");
        const hostname = hostnameOf(`[${written}]`);
        // BlockList reads an IPv4-mapped address by its IPv4 rules too; the whole range is refused either way.
        expect(addressRange(hostname) !== null, `${written} → ${hostname}`).toBe(ipv6Reference.check(hostname.slice(1, -1), "ipv6"));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ["localhost", "loopback"],
    ["LOCALHOST.", "loopback"],
    ["api.localhost", "loopback"],
    ["metadata.google.internal", "internal-name"],
    ["metadata", "internal-name"],
    ["printer.local", "internal-name"],
    ["router.home.arpa", "internal-name"],
    ["0x7f.1", "loopback"],
    ["2130706433", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["[::ffff:127.0.0.1]", "ipv4-mapped"],
    ["[fd00:ec2::254]", "private"],
    ["[fe80::1]", "link-local"],
    ["[::1]", "loopback"],
    ["api.twilio.com", null],
    ["8.8.8.8", null],
    ["[2606:4700::1111]", null],
    ["127.0.0.1.nip.io", null],
  ])("reads %s as %s", (host, range) => {
    expect(addressRange(hostnameOf(host))).toBe(range);
  });
});
