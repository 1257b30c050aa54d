/**
 * @module
 * The headers on every response stepgate makes itself — its pages, its APIs, its problems —
 * and never on an origin's answer it passes on: a strict Content-Security-Policy (the pages'
 * one inline `<style>` carries a per-response nonce), no framing (but for the challenge and
 * enrolment pages, which the portal's own pages may frame: the SPA client's dialog), no referrer
 * beyond the site, no content sniffing, and `Cache-Control: no-store`. A page with a script
 * (a few of stepgate's own lines) lets that script run by the same nonce; every other response
 * runs none.
 */
import type { Context, MiddlewareHandler } from "hono";
import { NONCE, secureHeaders } from "hono/secure-headers";

const securityHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    // No `script-src`: scripts fall under `default-src 'none'`, except on a page that runs one
    // of its own (see `allowPageScript`), which gets `script-src` with its nonce only.
    styleSrc: [NONCE],
    // The tenant's logo: any http(s) URL its policy gives as `branding.logoUrl`.
    imgSrc: ["'self'", "https:", "http:"],
    formAction: ["'self'"],
    // Nothing frames stepgate's answers (clickjacking), except the pages `allowFramingBySite` marks.
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "same-origin",
  // stepgate's pages share their origin with the portal's: headers that change how the whole
  // origin or host behaves (HSTS for every subdomain, opener isolation, agent clustering) are
  // the tenant's to set on the portal, not stepgate's to set on a few of its paths.
  strictTransportSecurity: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
});

/**
 * For stepgate's own routes: every response they make gets the headers, unless the route
 * passed on an origin's answer ({@link passOn}).
 * @example
 * app.use("/__stepgate/*", ownResponseHeaders);
 */
export const ownResponseHeaders: MiddlewareHandler = async function ownResponseHeaders(c, next) {
  await next();
  if (c.get("passedOn")) return;
  await addOwnHeaders(c);
};

/**
 * `response`, made by stepgate outside its own routes (a step-up answer, an error), with the
 * headers added.
 * @example
 * return withOwnHeaders(c, problem(502, "origin_unreachable", "…"));
 */
export async function withOwnHeaders(c: Context, response: Response): Promise<Response> {
  c.res = response;
  await addOwnHeaders(c);
  return c.res;
}

/**
 * Marks the response as the origin's answer (a completed held request), which keeps its own
 * headers. What stepgate answered itself on the way was given them where it was made.
 */
export function passOn(c: Context): void {
  c.set("passedOn", true);
}

/**
 * The nonce the page's inline `<style>` carries, the same one the Content-Security-Policy
 * header names; made on first use.
 */
export function styleNonce(c: Context): string {
  NONCE(c, "style-src");
  return c.get("secureHeadersNonce")!;
}

/**
 * Lets the response's own inline scripts run: its policy gets `script-src` with the nonce its
 * `<style>` carries, which it returns. Called while rendering a page that has a script.
 * @example
 * const nonce = allowPageScript(c);
 */
export function allowPageScript(c: Context): string {
  c.set("runsPageScript", true);
  return styleNonce(c);
}

/**
 * Lets the portal's own pages frame this response (`frame-ancestors 'self'`, `SAMEORIGIN`): only
 * the challenge and enrolment pages, which the SPA client shows in its dialog. The settings and
 * the admin console stay unframeable: a portal page carrying someone else's HTML must not be able
 * to lay them under a decoy and steer a click.
 * @example
 * hostedPages.use("/challenge/*", framedBySite);
 */
export function allowFramingBySite(c: Context): void {
  c.set("framedBySite", true);
}

async function addOwnHeaders(c: Context): Promise<void> {
  await securityHeaders(c, async () => {});
  let policy = c.res.headers.get("Content-Security-Policy");
  if (policy && c.get("framedBySite")) {
    policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'");
    c.res.headers.set("X-Frame-Options", "SAMEORIGIN");
  }
  if (policy && c.get("runsPageScript")) policy = `${policy}; script-src ${NONCE(c, "script-src")}`;
  if (policy) c.res.headers.set("Content-Security-Policy", policy);
  // Answers carry TOTP secrets, backup codes, grants and CSRF tokens: no cache may keep one.
  // A route that may be cached says so with its own `Cache-Control`.
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
}

declare module "hono" {
  interface ContextVariableMap {
    /** Set by {@link passOn}: the response is the origin's, not stepgate's. */
    passedOn?: true;
    /** Set by {@link allowPageScript}: the page has a script of stepgate's own, allowed by its nonce. */
    runsPageScript?: true;
    /** Set by {@link allowFramingBySite}: the portal's own pages may frame this response. */
    framedBySite?: true;
  }
}
