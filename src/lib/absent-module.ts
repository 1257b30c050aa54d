/**
 * @module
 * What hono-openapi's schema converters find when they try the converters of schema libraries
 * stepgate does not use (valibot, effect, sury, zod 3): nothing, as if the package were not
 * installed. `wrangler.jsonc` aliases those dynamic imports here; left unresolved they stay in
 * the bundle as imports of packages that do not exist, which Miniflare refuses to load.
 */
export {};
