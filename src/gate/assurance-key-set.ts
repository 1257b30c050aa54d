/**
 * @module
 * `GET /__stepgate/.well-known/jwks.json`: the public keys of the tenant's assurances as a JSON
 * Web Key Set (RFC 7517), for an origin to verify `StepGate-Assurance` with any JOSE library.
 * Every key `STEPGATE_SECRET_KEYS` lists is in it, newest (signing) first, so an assurance signed
 * just before a rotation still verifies until it expires. Cacheable: the same for every request
 * to the tenant until the secret changes.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { assuranceKeys } from "./assurance";

export const ASSURANCE_KEYS_PATH = "/__stepgate/.well-known/jwks.json";
/**
 * How long verifiers and caches may keep the key set. A new key is published this long before
 * it signs by listing it second first (see docs/deploy.md, rotating keys); a verifier that meets
 * an unknown `kid` sooner fetches the set again (jose's `createRemoteJWKSet` does).
 */
export const KEY_SET_CACHE_SECONDS = 300;

/**
 * Answers {@link ASSURANCE_KEYS_PATH} for the request's tenant.
 * @example
 * app.get(ASSURANCE_KEYS_PATH, assuranceKeySet);
 */
export async function assuranceKeySet(c: Context<AppEnv>): Promise<Response> {
  const keys = await assuranceKeys(c.env, c.get("tenant").tenantId);
  return c.json({ keys: keys.map((key) => key.publicJwk) }, 200, { "Cache-Control": `public, max-age=${KEY_SET_CACHE_SECONDS}` });
}
