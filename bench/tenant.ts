/**
 * The bench tenant, shared by `npm run bench` and `npm run bench:isolate`: its policy, the
 * secrets the workers run with, and the portal sessions and grants its users present.
 */
import { SignJWT } from "jose";
import type { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { issueGrant } from "../src/gate/grant";

// The address the workers listen on doubles as the tenant's hostname (Node's fetch cannot set `Host`).
export const HOST = "127.0.0.1";
/**
 * The tenant's second hostname, for passkeys: a relying party ID is a domain name (browsers, and
 * stepgate with them, refuse an IP address), and `localhost` is the one a page on this machine
 * may use. It resolves to the address the workers listen on.
 */
export const PASSKEY_HOST = "localhost";
export const TENANT = "bench";
export const JWT_SECRET = "bench-portal-jwt-secret";
export const SECRET_KEYS = `b1:${Buffer.alloc(32, 7).toString("base64url")}`;
export const COMPAT_DATE = "2026-04-20";

/** The event stream's consumers as wrangler.jsonc declares them, for a bundle run under Miniflare without wrangler. */
export function eventQueueConsumers(): Record<string, { maxBatchSize?: number; maxBatchTimeout?: number; maxRetries?: number; deadLetterQueue?: string }> {
  const consumers = unstable_readConfig({ config: "wrangler.jsonc" }).queues.consumers ?? [];
  return Object.fromEntries(
    consumers.map((c: { queue: string; max_batch_size?: number; max_batch_timeout?: number; max_retries?: number; dead_letter_queue?: string }) => [
      c.queue,
      { maxBatchSize: c.max_batch_size, maxBatchTimeout: c.max_batch_timeout, maxRetries: c.max_retries, deadLetterQueue: c.dead_letter_queue },
    ]),
  );
}

/** The bench tenant: pages under /app need the login grant, two protected operations, 2FA optional, passkeys allowed. */
function benchPolicy(origin: string) {
  return {
    origin,
    enabled: true,
    enforcement: "optional",
    factors: { webauthn: { enabled: true } },
    identity: { algorithm: "HS256", secretRef: "TENANT_BENCH_JWT_SECRET", cookie: "portal_session" },
    operations: {
      login: { routes: ["* /app/*"], maxAge: 3600 },
      withdraw: { routes: ["POST /api/withdraw"], maxAge: 3600, bindRequest: false },
      transfer: { routes: ["POST /api/transfer"], maxAge: 0 },
    },
  };
}

/** Stores the tenant's hostnames and policy in the `stepgate` worker's KV. */
export async function seedTenant(mf: Miniflare, origin: string): Promise<void> {
  const kv = await mf.getKVNamespace("POLICY", "stepgate");
  await kv.put(`host:${HOST}`, TENANT);
  await kv.put(`host:${PASSKEY_HOST}`, TENANT);
  await kv.put(`policy:${TENANT}`, JSON.stringify(benchPolicy(origin)));
}

export const portalSession = (sub: string, sid = `${sub}-s`) =>
  new SignJWT({ sub, sid }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("2h").sign(new TextEncoder().encode(JWT_SECRET));

/** A `Cookie` pair with a grant for `operation`, as stepgate issues after a verification. */
export async function grantCookie(sub: string, operation: string): Promise<string> {
  const env = { STEPGATE_SECRET_KEYS: SECRET_KEYS } as unknown as Env;
  const { token } = await issueGrant(env, { tenantId: TENANT, userId: sub, sessionId: `${sub}-s`, operation }, { maxAgeSeconds: 3600 }, Date.now());
  return `__Host-stepgate-grant-${operation}=${token}`;
}
