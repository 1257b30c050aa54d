/**
 * @module
 * Stands in for `zod/v4/core` where hono-openapi's schema converter imports it dynamically
 * (see `wrangler.jsonc` "alias"): that import would bundle all of zod's core, locales included
 * (~60 KiB gzipped), for the one function it calls.
 */
export { toJSONSchema } from "zod";
