/**
 * The baseline for `npm run bench`: a bare Hono worker that only proxies to the origin, the way
 * stepgate passes ordinary traffic through (method, path, query, headers, body streamed,
 * redirects not followed). Whatever stepgate costs on top is measured against this.
 */
import { Hono } from "hono";

const app = new Hono<{ Bindings: { ORIGIN: string } }>();

app.all("*", (c) => {
  const incoming = new URL(c.req.url);
  const target = new URL(c.env.ORIGIN);
  target.pathname = incoming.pathname;
  target.search = incoming.search;
  return fetch(target, { method: c.req.method, headers: c.req.raw.headers, body: c.req.raw.body, redirect: "manual" });
});

export default app;
