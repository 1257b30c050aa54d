/**
 * @module
 * Holding the request that triggered a challenge, and sending it on after verification: what
 * is kept (method, path and query, content type, body) and how it is sent again, with the
 * credentials of the request that completes it and the grant the verification earned.
 */
import { base64url, fromBase64url } from "../lib/encoding";
import { GRANT_HEADER } from "./grant";
import { METHOD_OVERRIDE_HEADERS } from "./operation-match";
import type { ReadBody } from "./request-digest";

/** The held request's own headers that are kept and sent again. */
const KEPT_HEADERS = ["Content-Type", "Content-Encoding", "Content-Language", ...METHOD_OVERRIDE_HEADERS];

/**
 * What the completing request lends the replay: who is asking (the session, checked again by
 * the gate) and how to answer them. Nothing else of it reaches the origin with the held body.
 */
const LENT_HEADERS = ["Cookie", "Authorization", "Accept", "Accept-Language", "User-Agent", "CF-Connecting-IP", "X-Forwarded-For"];

/** What is kept of a request while its user verifies. */
export interface HeldRequest {
  method: string;
  pathname: string;
  search: string;
  /** The request's own content headers (type, encoding, claimed method), sent again as they were. */
  headers: Record<string, string>;
  /** base64url */
  body: string;
  /** The page the form was on, sent again as `Referer` so a further challenge returns there. */
  referer: string | null;
}

/**
 * The request to keep, or `null` when it cannot be kept: multipart uploads (files have no place
 * in the user's storage) and bodies over `maxBodyBytes`. GET and HEAD are never held: after
 * verifying, the browser simply loads the page again.
 */
export function heldRequestOf(request: Request, body: ReadBody, maxBodyBytes: number): HeldRequest | null {
  if (body.kind === "multipart" || body.bytes.byteLength > maxBodyBytes) return null;
  const url = new URL(request.url);
  return {
    method: request.method,
    pathname: url.pathname,
    search: url.search,
    headers: Object.fromEntries(KEPT_HEADERS.flatMap((name) => (request.headers.has(name) ? [[name, request.headers.get(name)!]] : []))),
    body: base64url(body.bytes),
    referer: request.headers.get("Referer"),
  };
}

/**
 * The held request, ready to go through the gate again: as the user sent it (body and content
 * headers), with the credentials of `completing` (the same signed-in session, checked again by
 * the gate; `identityHeader` is the policy's session header, if any) and the grant in the
 * `StepGate-Grant` header.
 * @example
 * const response = await gateRequest(c, replayOf(held, c.req.raw, grant.token));
 */
export function replayOf(held: HeldRequest, completing: Request, grant: string, identityHeader: string | undefined): Request {
  const headers = new Headers(held.headers);
  for (const name of [...LENT_HEADERS, ...(identityHeader ? [identityHeader] : [])]) {
    const value = completing.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  if (held.referer) headers.set("Referer", held.referer);
  headers.set(GRANT_HEADER, grant);
  const body = fromBase64url(held.body);
  // Set, not resolved: a path like `//other.example/x` must stay a path on this host.
  const url = new URL(completing.url);
  url.pathname = held.pathname;
  url.search = held.search;
  return new Request(url, { method: held.method, headers, body: body.byteLength > 0 ? body : null });
}
