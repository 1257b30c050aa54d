/**
 * Small builders for the tests: tenants seeded into the real KV, portal sessions signed with
 * real keys, and requests sent through the real worker.
 */
import { env, SELF } from "cloudflare:test";
import { importJWK, SignJWT, type JWTPayload } from "jose";
import { kvKeys } from "../../src/config/kv-keys";
import type { PolicyInput } from "../../src/config/policy-schema";

export const ADMIN_KEY = "test-admin-key";
export const DEMO_JWT_SECRET = "test-demo-jwt-secret";

/**
 * A policy for a portal at the fixture origin: 2FA on, HS256 sessions in `portal_session`.
 * `overrides` replace top-level fields.
 */
export function aPolicy(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    origin: env.TEST_ORIGIN,
    enabled: true,
    identity: { algorithm: "HS256", secretRef: "TENANT_DEMO_JWT_SECRET", cookie: "portal_session", header: "X-Portal-Token" },
    operations: {
      withdraw: { routes: ["POST /wallet/withdraw", "POST /api/withdraw"], maxAge: 0 },
    },
    ...overrides,
  };
}

let tenants = 0;

/**
 * Seeds a tenant with a fresh hostname (so no isolate cache is shared between tests) and
 * returns its base URL. `policy` may be raw text to store something invalid.
 */
export async function aTenant(policy: PolicyInput | string | null = aPolicy()): Promise<{ base: string; tenantId: string; host: string }> {
  const tenantId = `t${++tenants}-${crypto.randomUUID().slice(0, 8)}`;
  const host = `${tenantId}.portal.test`;
  await env.POLICY.put(kvKeys.host(host), tenantId);
  if (policy !== null) await env.POLICY.put(kvKeys.policy(tenantId), typeof policy === "string" ? policy : JSON.stringify(policy));
  return { base: `https://${host}`, tenantId, host };
}

/** A portal session JWT signed with the demo HS256 secret. */
export async function aSession(claims: JWTPayload = {}, secret = DEMO_JWT_SECRET, expiresIn: string | number = "1h"): Promise<string> {
  return new SignJWT({ sub: "alice", sid: "session-1", ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A session signed with one of the fixture origin's JWKS keys (`rsa` for RS256, `ec` for ES256). */
export async function aJwksSession(kind: "rsa" | "ec", claims: JWTPayload = {}, options: { issuer?: string; audience?: string } = {}): Promise<string> {
  const jwk = JSON.parse(kind === "rsa" ? env.TEST_RSA_JWK : env.TEST_EC_JWK);
  const key = await importJWK(jwk, jwk.alg);
  let builder = new SignJWT({ sub: "bob", sid: "s-2", ...claims }).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid }).setIssuedAt().setExpirationTime("1h");
  if (options.issuer) builder = builder.setIssuer(options.issuer);
  if (options.audience) builder = builder.setAudience(options.audience);
  return builder.sign(key);
}

/** Sends a request through the worker under test. */
export function send(url: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(url, { redirect: "manual", ...init });
}

/** The admin headers for JSON calls. */
export function adminHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json", ...extra };
}
