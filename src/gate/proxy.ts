/**
 * @module
 * The reverse proxy to the tenant's origin. The request goes on as it came (method, path,
 * query, headers but hop-by-hop ones and the claims below, body streamed) with stepgate's own
 * forwarding headers and assurance, and the origin's answer comes back as it was (status, every
 * `Set-Cookie`, redirects not followed, WebSocket upgrades).
 */
import { lookalikeKey } from "../lib/lookalike-name";
import { ASSURANCE_HEADER } from "./assurance";
import { METHOD_OVERRIDE_HEADERS } from "./operation-match";
import { ProblemError } from "../lib/problem";

/** RFC 9110 §7.6.1 connection-specific headers, which a proxy must not forward. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/**
 * Headers some origins take the request path from instead of the request line, so a client
 * could name a protected path there behind an ordinary one: `X-Original-URL` (IIS URL Rewrite,
 * Symfony and Zend before 2018), `X-Rewrite-URL` (ISAPI_Rewrite, Yii 1, Zend 1),
 * `X-Original-URI` (nginx `auth_request` setups), `X-Forwarded-URI` (Traefik),
 * `X-Forwarded-Path` (Kong), `X-Forwarded-Prefix` (Spring, ASP.NET path base),
 * `X-Envoy-Original-Path` (Envoy), `X-Override-URL` (in bypass lists). stepgate is the proxy
 * in front of the origin and sets none of them, so none sent by a client goes on, under any
 * spelling a server could read as one (`X_Original_URL` is PHP's `HTTP_X_ORIGINAL_URL` too).
 */
const PATH_OVERRIDE_KEYS = new Set(
  [
    "X-Original-URL",
    "X-Rewrite-URL",
    "X-Original-URI",
    "X-Forwarded-URI",
    "X-Forwarded-Path",
    "X-Forwarded-Prefix",
    "X-Envoy-Original-Path",
    "X-Override-URL",
  ].map(lookalikeKey),
);

/**
 * Method-override headers stepgate reads under their own names only (`claimedMethods`); PHP and
 * CGI read `X_HTTP_Method_Override` as the same header, so any other spelling is taken out.
 */
const METHOD_OVERRIDE_KEYS = new Set(METHOD_OVERRIDE_HEADERS.map(lookalikeKey));
const METHOD_OVERRIDE_NAMES = new Set(METHOD_OVERRIDE_HEADERS.map((name) => name.toLowerCase()));

/**
 * Headers in which a client claims its address, host or scheme: an origin that trusts them
 * (Spring's `ForwardedHeaderFilter` reads `Forwarded` before `X-Forwarded-*`, nginx's realip
 * `X-Real-IP`, Akamai-style `True-Client-IP`, CDN and PaaS names like `Fastly-Client-IP` or
 * `X-AppEngine-User-IP` that IP-lookup libraries try in turn) could be given a false client IP
 * or public host. stepgate sets `X-Forwarded-For/-Host/-Proto` itself; none of these sent by a
 * client goes on, under any spelling.
 */
const CLIENT_CLAIM_KEYS = new Set(
  [
    "Forwarded",
    "Forwarded-For",
    "X-Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-For-Original",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Real-IP",
    "True-Client-IP",
    "Client-IP",
    "X-Client-IP",
    "X-Cluster-Client-IP",
    "X-Originating-IP",
    "X-ProxyUser-Ip",
    "Fastly-Client-IP",
    "Akamai-Client-IP",
    "X-AppEngine-User-IP",
    "CF-Connecting-IPv6",
    "X-Forwarded-Port",
    "X-Forwarded-Server",
    "X-Forwarded-Scheme",
    "X-Forwarded-Ssl",
    "X-Url-Scheme",
    "Front-End-Https",
    "X-Host",
    "X-Original-Host",
    "X-Forwarded-By",
    "X-Original-Forwarded-For",
    "Cf-Pseudo-IPv4",
    "Proxy-Client-IP",
    "WL-Proxy-Client-IP",
    "X-Remote-IP",
    "X-Remote-Addr",
    "X-Azure-ClientIP",
    "X-Envoy-External-Address",
  ].map(lookalikeKey),
);

/**
 * `CF-Connecting-IP` itself is not a client's claim: Cloudflare's edge sets it, replacing whatever
 * the client sent, and stepgate reads it (`lib/client-ip.ts`) and hands it on as `X-Forwarded-For`.
 * Any other spelling of it (`CF_Connecting_IP`, which PHP reads as the same
 * `HTTP_CF_CONNECTING_IP`) came from the client.
 */
const PLATFORM_ADDRESS_KEY = lookalikeKey("CF-Connecting-IP");
const PLATFORM_ADDRESS_NAME = "cf-connecting-ip";

/**
 * `StepGate-Assurance` is stepgate's word to the origin: the one stepgate signed is set after
 * every spelling a client sent is taken out — the name itself (any case: header names are
 * case-insensitive), and `StepGate_Assurance`, `stepgate.assurance` and the like, which PHP and
 * CGI read as the same `HTTP_STEPGATE_ASSURANCE` (nginx drops names with `_` by default, Apache
 * 2.4 too, PHP's own server and many CGI gateways do not). Taken out, not refused: with every
 * other spelling gone the origin can read only stepgate's, so there is no second reading left to
 * refuse, and a refusal would only let a client fail its own request.
 */
const ASSURANCE_KEY = lookalikeKey(ASSURANCE_HEADER);

/**
 * First letters of every name above, to skip most headers without reading them; taken from the
 * sets so a name added there is never skipped here. A name that starts with anything but a
 * letter or digit (`_X-Real-IP`, `%58-Forwarded-For`) is always read: the look-alike key drops
 * or decodes that character, so its first letter comes later.
 */
const CLAIM_INITIALS = new Set(
  [...PATH_OVERRIDE_KEYS, ...CLIENT_CLAIM_KEYS, ...METHOD_OVERRIDE_KEYS, PLATFORM_ADDRESS_KEY, ASSURANCE_KEY].map((key) => key[0]),
);

function mayBeClaim(name: string): boolean {
  const first = name.charCodeAt(0);
  const letterOrDigit = (first >= 0x61 && first <= 0x7a) || (first >= 0x30 && first <= 0x39);
  return !letterOrDigit || CLAIM_INITIALS.has(name[0]!);
}

/**
 * Whether a request header (lower-cased name) is a path override, a client's claim, a method
 * override stepgate did not read, another spelling of the platform's address header, or any
 * spelling of stepgate's assurance.
 */
function dropsAsClaim(name: string): boolean {
  const key = lookalikeKey(name);
  return (
    key === ASSURANCE_KEY ||
    PATH_OVERRIDE_KEYS.has(key) ||
    CLIENT_CLAIM_KEYS.has(key) ||
    (METHOD_OVERRIDE_KEYS.has(key) && !METHOD_OVERRIDE_NAMES.has(name)) ||
    (key === PLATFORM_ADDRESS_KEY && name !== PLATFORM_ADDRESS_NAME)
  );
}

export interface ProxyOptions {
  /** How long to wait for the origin's response headers. */
  timeoutMs: number;
  /** Request headers stepgate consumed itself and the origin must not see (e.g. grants). */
  dropHeaders?: string[];
  /** A replacement `Cookie` header with stepgate's own cookies taken out. */
  cookie?: string | null;
  /** The signed assurance to send as `StepGate-Assurance` (`null`: none, the tenant turned it off). */
  assurance?: string | null;
}

/**
 * Forwards `request` to `origin` and returns the origin's response (`incoming` is the
 * request's URL, when the caller has parsed it already).
 * An unreachable origin is a 502 problem, a slow one a 504; neither hangs.
 * @example
 * return proxyToOrigin(c.req.raw, tenant.origin, { timeoutMs: policy.originTimeoutMs });
 */
export async function proxyToOrigin(request: Request, origin: URL, options: ProxyOptions, incoming = new URL(request.url)): Promise<Response> {
  // Never `new URL(pathname, origin)`: a path like `//evil.example/x` would be read as a host.
  // Appended to the origin, a parsed pathname (always starting with `/`) can only be a path.
  const target = `${origin.origin}${incoming.pathname}${incoming.search}`;
  const upgrade = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
  const headers = forwardedHeaders(request, incoming, options);
  if (upgrade) {
    // The runtime opens the WebSocket to the origin when these two are present.
    headers.set("Upgrade", "websocket");
    headers.set("Connection", "Upgrade");
  }

  let response: Response;
  try {
    const forwarded = fetch(target, { method: request.method, headers, body: request.body, redirect: "manual" });
    // Raced against a timer rather than given an abort signal: cheaper on every request, and an
    // open WebSocket must outlive the timeout anyway. A fetch that loses the race is cancelled
    // by the runtime when this request ends.
    response = await withinTimeout(forwarded, options.timeoutMs);
  } catch (error) {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new ProblemError(504, "origin_timeout", `The portal did not answer within ${options.timeoutMs} ms.`);
    }
    console.error("stepgate: origin unreachable", origin.origin, error);
    throw new ProblemError(502, "origin_unreachable", "The portal could not be reached.");
  }
  if (response.webSocket) return response;
  return withPublicLocation(response, origin, incoming);
}

/**
 * `promise`, or a TimeoutError after `timeoutMs`. The timer is not cleared when the promise
 * wins: the runtime drops a request's timers when the request ends, and a lapsing timer only
 * rejects a race already settled. Clearing it was a measurable part of every proxied request
 * under workerd (`clearTimeout` alone ~16 µs in a CPU profile of `npm run bench`'s load).
 */
function withinTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new DOMException("origin did not answer in time", "TimeoutError")), timeoutMs);
  });
  return Promise.race([promise, timeout]);
}

function forwardedHeaders(request: Request, incoming: URL, options: ProxyOptions): Headers {
  const headers = new Headers(request.headers);
  const named = (request.headers.get("Connection") ?? "").split(",").map((h) => h.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...named, ...(options.dropHeaders ?? [])]) if (name) headers.delete(name);
  // Names come lower-cased; those that cannot be one are not worth reading closer. `keys()`, not
  // the entries: each entry would be an array and a copy of its value, which no name check reads.
  for (const name of request.headers.keys()) if (mayBeClaim(name) && dropsAsClaim(name)) headers.delete(name);
  if (options.cookie !== undefined) {
    if (options.cookie) headers.set("Cookie", options.cookie);
    else headers.delete("Cookie");
  }
  // The client's own X-Forwarded-For is a claim like the rest: the origin gets the address
  // Cloudflare saw, alone, so whichever end of the list it reads is true.
  const clientIp = request.headers.get("CF-Connecting-IP");
  if (clientIp) headers.set("X-Forwarded-For", clientIp);
  else headers.delete("X-Forwarded-For");
  headers.set("X-Forwarded-Host", incoming.host);
  headers.set("X-Forwarded-Proto", incoming.protocol.slice(0, -1));
  if (options.assurance) headers.set(ASSURANCE_HEADER, options.assurance);
  return headers;
}

/**
 * A redirect the origin points at its own address is pointed back at the public host, as
 * nginx's `proxy_redirect default` does, so users are never sent around stepgate.
 */
function withPublicLocation(response: Response, origin: URL, incoming: URL): Response {
  const location = response.headers.get("Location");
  if (!location || !URL.canParse(location)) return response;
  const absolute = new URL(location);
  if (absolute.origin !== origin.origin) return response;
  const rewritten = new Response(response.body, response);
  rewritten.headers.set("Location", `${incoming.origin}${absolute.pathname}${absolute.search}${absolute.hash}`);
  return rewritten;
}
