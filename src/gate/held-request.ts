/**
 * @module
 * Holding the request that triggered a challenge, and sending it on after verification: what
 * is kept (method, path and query, content type, body) and how it is sent again, with the
 * credentials of the request that completes it and the grant the verification earned.
 */
import { base64url, fromBase64url } from "../lib/encoding";
import { GRANT_HEADER } from "./grant";
import type { ReadBody } from "./request-digest";

/** What is kept of a request while its user verifies. */
export interface HeldRequest {
  method: string;
  pathname: string;
  search: string;
  contentType: string | null;
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
    contentType: request.headers.get("Content-Type"),
    body: base64url(body.bytes),
    referer: request.headers.get("Referer"),
  };
}

/**
 * The held request, ready to go through the gate again: as the user sent it, with the
 * credentials of `completing` (the same signed-in session, checked again by the gate) and the
 * grant in the `StepGate-Grant` header.
 * @example
 * const response = await gateRequest(c, replayOf(held, c.req.raw, grant.token));
 */
export function replayOf(held: HeldRequest, completing: Request, grant: string): Request {
  const headers = new Headers(completing.headers);
  for (const name of ["Content-Type", "Content-Length", "Referer", GRANT_HEADER]) headers.delete(name);
  if (held.contentType) headers.set("Content-Type", held.contentType);
  if (held.referer) headers.set("Referer", held.referer);
  headers.set(GRANT_HEADER, grant);
  const body = fromBase64url(held.body);
  // Set, not resolved: a path like `//other.example/x` must stay a path on this host.
  const url = new URL(completing.url);
  url.pathname = held.pathname;
  url.search = held.search;
  return new Request(url, { method: held.method, headers, body: body.byteLength > 0 ? body : null });
}
