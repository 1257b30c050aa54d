/**
 * @module
 * The bucket a per-IP limit counts a request in. Trust: on Cloudflare the edge sets
 * `CF-Connecting-IP` to the address it accepted the connection from, replacing any value the
 * client sent, so it is trusted there. Nothing sets it under `wrangler dev` or `npm run dev`
 * (a client there may send any value, which only ever moves it into another bucket).
 */

/** IPv6 hextets kept for a bucket: a /64 is one subscriber's network, where every address is theirs to use. */
const IPV6_BUCKET_HEXTETS = 4;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:.]+$/;

/**
 * The key per-IP limits count this request under: `ip:<IPv4>`, `ip:<IPv6 /64>`, or, when the
 * request carries no readable client address, `user:<userId>`. A request without an address is
 * never counted in a bucket shared with every other such request, where one client could use
 * up everybody's allowance; counted per user, it adds a second per-user cap beside the lockout.
 * @example
 * perIpBucket(request, "ann") // "ip:2001:db8:1:2::/64" for CF-Connecting-IP 2001:db8:1:2::7
 */
export function perIpBucket(request: Request, userId: string): string {
  const network = clientNetwork(request.headers.get("CF-Connecting-IP"));
  // `wrangler dev` gives every request 127.0.0.1 (Cloudflare never does): counted as no address,
  // so one developer's wrong codes do not lock every local user out.
  return network === null || LOOPBACK.test(network) ? `user:${userId}` : `ip:${network}`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|0:0:0:0::\/64)$/;

const IPV4_BUCKET = /^ip:(\d+\.\d+\.\d+)\.\d+$/;
const IPV6_BUCKET = /^ip:([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)::\/64$/;

/**
 * The network whose buckets are kept together (`state/address-limit`: one object per tenant and
 * network): an IPv4 address's /24, an IPv6 /64's /56 (256 buckets either way), a `user:` bucket
 * on its own. Only a function of the bucket, so one address always lands in one place.
 * @example
 * bucketShard("ip:203.0.113.7")          // "203.0.113.0/24"
 * bucketShard("ip:2001:db8:1:2ab::/64")  // "2001:db8:1:200::/56"
 * bucketShard("user:ann")                // "user:ann"
 */
export function bucketShard(bucket: string): string {
  const v4 = IPV4_BUCKET.exec(bucket);
  if (v4) return `${v4[1]}.0/24`;
  const v6 = IPV6_BUCKET.exec(bucket);
  if (v6) return `${v6[1]}:${v6[2]}:${v6[3]}:${(parseInt(v6[4]!, 16) & 0xff00).toString(16)}::/56`;
  return bucket;
}

/**
 * `address` as one client's network: an IPv4 address as is, an IPv6 address as its /64
 * (IPv4-mapped IPv6 as the IPv4 address); `null` when it is missing or not an IP address.
 * Every spelling of an address gives one answer.
 * @example
 * clientNetwork("2001:DB8:1:2:0:0:0:7") // "2001:db8:1:2::/64"
 * clientNetwork("::ffff:192.0.2.1")     // "192.0.2.1"
 */
export function clientNetwork(address: string | null): string | null {
  if (!address) return null;
  if (IPV4.test(address)) return URL.canParse(`http://${address}/`) ? new URL(`http://${address}/`).hostname : null;
  if (!address.includes(":") || !IPV6.test(address) || !URL.canParse(`http://[${address}]/`)) return null;
  // The URL parser writes the address one way: lower case, no leading zeros, `::` for the longest run of zeros.
  const hextets = expanded(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  if (hextets.slice(0, 5).every((h) => h === "0") && hextets[5] === "ffff") {
    const [high, low] = [parseInt(hextets[6]!, 16), parseInt(hextets[7]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `${hextets.slice(0, IPV6_BUCKET_HEXTETS).join(":")}::/64`;
}

/** The eight hextets of an address in the URL parser's form (`2001:db8::1`). */
function expanded(address: string): string[] {
  const [head = "", tail] = address.split("::");
  const before = head ? head.split(":") : [];
  const after = tail ? tail.split(":") : [];
  return [...before, ...Array<string>(8 - before.length - after.length).fill("0"), ...after];
}
