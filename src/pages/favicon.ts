/**
 * @module
 * The tab icon of a hosted page whose tenant gave no logo (or whose host is no tenant's): a
 * shield with a tick, grey enough for light and dark tab strips. Served by stepgate itself, so
 * the browser never asks the host for a `/favicon.ico` the portal may not have.
 */
import type { Context } from "hono";

export const FAVICON_PATH = "/__stepgate/favicon.svg";
/** The icon never changes with a deployment's data: browsers may keep it a day. */
const FAVICON_CACHE_SECONDS = 24 * 60 * 60;

const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<path d="M16 2l12 4.5v8.7c0 7.3-5 12.9-12 14.8C9 28.1 4 22.5 4 15.2V6.5z" fill="#6e7781"/>' +
  '<path d="M10.5 16.2l3.8 3.8 7.2-7.5" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>';

/**
 * Answers {@link FAVICON_PATH}, for any host: a page of an unknown host links it too.
 * @example
 * app.get(FAVICON_PATH, favicon);
 */
export function favicon(c: Context): Response {
  return c.body(FAVICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": `public, max-age=${FAVICON_CACHE_SECONDS}` });
}
