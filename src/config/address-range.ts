/**
 * @module
 * Which non-public range a host falls in: loopback, private, link-local (cloud metadata),
 * reserved and the like. It takes the hostname as WHATWG URL parsing leaves it
 * (`new URL(u).hostname`), which has already turned every IPv4 spelling (`2130706433`,
 * `0x7f.1`, `0177.0.0.1`) into dotted decimal and every IPv6 address into its compressed form,
 * so the spelling the fetch will use is the one checked here.
 */

export type AddressRange = "loopback" | "private" | "link-local" | "shared" | "unspecified" | "reserved" | "multicast" | "ipv4-mapped" | "internal-name";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
/** Names no public DNS answers for: special-use and private-use suffixes (RFC 6761, 6762, 8375; `.internal`). */
const INTERNAL_SUFFIXES = [".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

/**
 * The range `hostname` is in, or `null` for a public address or name.
 * @example
 * addressRange(new URL("http://0x7f.1/").hostname) // "loopback"
 * addressRange("169.254.169.254") // "link-local" (cloud metadata)
 * addressRange("api.twilio.com") // null
 */
export function addressRange(hostname: string): AddressRange | null {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = ipv6Groups(host.slice(1, -1));
    return groups ? ipv6Range(groups) : "reserved";
  }
  const v4 = IPV4.exec(host);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((octet) => octet <= 255) ? ipv4Range(octets as [number, number, number, number]) : "reserved";
  }
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  // A single label (`metadata`, `intranet`) is never a public host; resolvers complete it locally.
  if (!host.includes(".") || INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix))) return "internal-name";
  return null;
}

function ipv4Range([a, b, c]: [number, number, number, number]): AddressRange | null {
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 100 && b >= 64 && b <= 127) return "shared";
  if (a >= 224 && a <= 239) return "multicast";
  // IETF protocol assignments, documentation, the deprecated 6to4 relay anycast (RFC 7526: whoever
  // is nearest answers it), benchmarking, and 240/4 with the broadcast address.
  if ((a === 192 && b === 0 && (c === 0 || c === 2)) || (a === 192 && b === 88 && c === 99)) return "reserved";
  if ((a === 198 && (b === 18 || b === 19)) || (a === 198 && b === 51 && c === 100)) return "reserved";
  if ((a === 203 && b === 0 && c === 113) || a >= 240) return "reserved";
  return null;
}

function ipv6Range(g: number[]): AddressRange | null {
  const [g0, g1, g2, g3, g4, g5, , g7] = g as [number, number, number, number, number, number, number, number];
  const zeroTo = (end: number) => g.slice(0, end).every((group) => group === 0);
  if (zeroTo(8)) return "unspecified";
  if (zeroTo(7) && g7 === 1) return "loopback";
  if (zeroTo(5) && g5 === 0xffff) return "ipv4-mapped";
  // IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d, RFC 2765), NAT64 (64:ff9b::/96,
  // 64:ff9b:1::/48), discard (100::/64), Teredo (2001::/32), documentation (2001:db8::/32,
  // 3fff::/20), 6to4 (2002::/16) and SRv6 segment ids (5f00::/16, RFC 9602: routed inside one
  // operator's network) all reach IPv4, a private network, or nothing.
  if (zeroTo(6) || (zeroTo(4) && g4 === 0xffff && g5 === 0)) return "reserved";
  if (g0 === 0x64 && g1 === 0xff9b && ((g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) || g2 === 1)) return "reserved";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "reserved";
  if (g0 === 0x2001 && (g1 === 0 || g1 === 0xdb8)) return "reserved";
  if (g0 === 0x2002 || g0 === 0x5f00 || (g0 === 0x3fff && g1 < 0x1000)) return "reserved";
  if ((g0 & 0xfe00) === 0xfc00) return "private";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "private";
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  return null;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail allowed), or `null`. */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [index, piece] of pieces.entries()) {
      const v4 = index === pieces.length - 1 ? IPV4.exec(piece) : null;
      if (v4) {
        const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
        if ([a, b, c, d].some((octet) => octet > 255)) return null;
        out.push((a << 8) | b, (c << 8) | d);
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(missing).fill(0), ...tail];
}
