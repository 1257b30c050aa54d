/**
 * The primary reference for `npm run bench`: the minimal *correct* reverse proxy a user would
 * otherwise put in front of the portal, as a Hono worker built and run as stepgate is. It does
 * what any reverse proxy must, and what stepgate's proxy (src/gate/proxy.ts) does for every
 * request it lets through:
 * - hop-by-hop headers are not forwarded (RFC 9110 §7.6.1), nor any header `Connection` names;
 * - `X-Forwarded-For` (the address the platform saw, replacing the client's own claim),
 *   `X-Forwarded-Host` and `X-Forwarded-Proto` are set, so the portal knows its client and its
 *   public address;
 * - the origin gets as long as stepgate gives it by default (30 s, the policy's
 *   `originTimeoutMs`), raced against a timer as stepgate does, then a 504; an unreachable
 *   origin is a 502;
 * - a redirect to the origin's own address is pointed back at the public host (nginx's
 *   `proxy_redirect default`), so users are never sent around the proxy.
 * What it does not do is stepgate's job: tenants, operations, sessions, grants, stepgate's own
 * cookies, clients' claims under other names.
 */
import { Hono } from "hono";

/** As src/gate/proxy.ts: RFC 9110 §7.6.1 connection-specific headers. */
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
/** stepgate's default `originTimeoutMs`. */
const ORIGIN_TIMEOUT_MS = 30_000;

const app = new Hono<{ Bindings: { ORIGIN: string } }>();

app.all("*", async (c) => {
  const request = c.req.raw;
  const incoming = new URL(request.url);
  const origin = new URL(c.env.ORIGIN);
  const headers = new Headers(request.headers);
  const named = (request.headers.get("Connection") ?? "").split(",").map((name) => name.trim().toLowerCase());
  for (const name of [...HOP_BY_HOP, ...named]) if (name) headers.delete(name);
  const clientIp = request.headers.get("CF-Connecting-IP");
  if (clientIp) headers.set("X-Forwarded-For", clientIp);
  else headers.delete("X-Forwarded-For");
  headers.set("X-Forwarded-Host", incoming.host);
  headers.set("X-Forwarded-Proto", incoming.protocol.slice(0, -1));

  const forwarded = fetch(`${origin.origin}${incoming.pathname}${incoming.search}`, {
    method: request.method,
    headers,
    body: request.body,
    redirect: "manual",
  });
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new DOMException("origin did not answer in time", "TimeoutError")), ORIGIN_TIMEOUT_MS);
  });
  let response: Response;
  try {
    response = await Promise.race([forwarded, timeout]);
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return c.text(timedOut ? "Gateway Timeout" : "Bad Gateway", timedOut ? 504 : 502);
  }
  const location = response.headers.get("Location");
  if (!location || !URL.canParse(location)) return response;
  const absolute = new URL(location);
  if (absolute.origin !== origin.origin) return response;
  const rewritten = new Response(response.body, response);
  rewritten.headers.set("Location", `${incoming.origin}${absolute.pathname}${absolute.search}${absolute.hash}`);
  return rewritten;
});

export default app;
