/**
 * @module
 * The `StepGate-Assurance` request header: what stepgate tells the origin about each request it
 * forwards, as a short-lived ES256 JWT under the tenant's own key (public at
 * `/__stepgate/.well-known/jwks.json`). Who (`sub`, `sid`), for which operation (`op`), how and
 * when they stepped up (`amr`, `auth_time`, `acr`) and, for a request-bound operation, the digest
 * of the request it is (`rd`, as `request-digest.ts` computes it). A request stepgate matched to
 * no operation carries one with none of these: the origin can tell "came through stepgate, not
 * stepped up" from "did not come through stepgate".
 *
 * An ECDSA signature costs more than the rest of a pass-through request (~55–70 µs in workerd
 * against ~16–40 µs for the whole of a bare proxy's JavaScript), so an assurance is signed once
 * and reused for {@link ASSURANCE_REUSE_MS} for every request it describes alike — same tenant,
 * host, origin and claims. Its `jti` therefore names the assurance, not the request: an origin
 * must not refuse a `jti` seen before, except on an assurance with `rd`, which is signed for its
 * one request and never reused.
 */
import { SignJWT } from "jose";
import { randomId } from "../lib/ids";
import { signingKeys, type SigningKey } from "../lib/signing-keys";
import type { StepUpProof } from "./grant";

export const ASSURANCE_HEADER = "StepGate-Assurance";
/** The JWT's `typ` (RFC 8725 §3.11): no other token of stepgate's, or the tenant's, passes for one. */
export const ASSURANCE_TYPE = "stepgate-assurance+jwt";
/** An assurance's whole life: long enough for a slow origin to read it, short enough to be worth little replayed. */
export const ASSURANCE_TTL_SECONDS = 60;
/** How long a signed assurance is sent again for requests it describes alike; it then has ≥ 55 s to live. */
export const ASSURANCE_REUSE_MS = 5_000;
/** Signed assurances an isolate keeps for reuse (a few hundred bytes each); the oldest go first. */
const MAX_KEPT = 1_000;

/** What the assurance of one forwarded request says. */
export interface AssuranceClaims {
  /** This tenant's stepgate, as the request reached it: `https://<public host>/__stepgate` (its key set is below). */
  iss: string;
  /** The tenant's origin (`policy.origin`'s scheme, host and port). */
  aud: string;
  /** The portal's user id, when stepgate verified the request's session for an operation. */
  sub?: string;
  sid?: string;
  /** The operation the request was checked for: the specific one, not `login`, when both matched. */
  op?: string;
  /** RFC 8176 values of how the user stepped up for `op` (`factors/authentication-methods.ts`); absent when they did not. */
  amr?: string[];
  /** When they did (epoch seconds). */
  auth_time?: number;
  /** The operation's `acr` label, when it has one and the user stepped up for it. */
  acr?: string;
  /** For a request-bound operation: this request's digest, which its grant (if any) was bound to. */
  rd?: string;
}

/** What the gate learned of a request for a protected operation, for its assurance. */
export interface Assured {
  userId: string;
  sessionId: string;
  operation: string;
  /** How the user stepped up for the operation; `null` when they passed without (2FA optional and not enrolled). */
  proof: StepUpProof | null;
  /** The request's digest, for a request-bound operation. */
  digest: string | null;
}

/**
 * The claims for a request that reached stepgate at `incoming` and goes to `origin`, with what
 * the gate learned of it (`null`: no operation matched, or no session to verify) and the
 * operation's `acr` label.
 * @example
 * assuranceClaims(url, origin, null, undefined) // { iss: "https://portal.acme.com/__stepgate", aud: "https://origin.acme.com" }
 */
export function assuranceClaims(incoming: URL, origin: URL, assured: Assured | null, acr: string | undefined): AssuranceClaims {
  const claims: AssuranceClaims = { iss: `${incoming.origin}/__stepgate`, aud: origin.origin };
  if (!assured) return claims;
  claims.sub = assured.userId;
  claims.sid = assured.sessionId;
  claims.op = assured.operation;
  // A label says which assurance class was met: only a step-up meets one.
  if (assured.proof) {
    claims.amr = assured.proof.amr;
    claims.auth_time = assured.proof.authTime;
    if (acr !== undefined) claims.acr = acr;
  }
  if (assured.digest !== null) claims.rd = assured.digest;
  return claims;
}

interface Kept {
  token: Promise<string>;
  reuseUntil: number;
}

/** Signed assurances by the secret they were signed under, then by tenant and claims. */
const kept = new Map<string, Map<string, Kept>>();

/**
 * The signed assurance for `claims` of a request of `tenantId` at `now`: one signed in the last
 * {@link ASSURANCE_REUSE_MS} for the same claims, else a new one.
 * @example
 * headers.set(ASSURANCE_HEADER, await signedAssurance(env, "acme", claims, Date.now()));
 */
export function signedAssurance(env: Env, tenantId: string, claims: AssuranceClaims, now: number): Promise<string> {
  // Signed for its one request: an origin may hold it to that request, and to one use.
  if (claims.rd !== undefined) return sign(env, tenantId, claims, now);
  const secret = env.STEPGATE_SECRET_KEYS ?? "";
  let bySecret = kept.get(secret);
  if (!bySecret) {
    bySecret = new Map();
    kept.set(secret, bySecret);
  }
  // Most requests name no one: their key is built without serialising the claims.
  const key = claims.sub === undefined ? `${tenantId}\u0000${claims.iss}\u0000${claims.aud}` : `${tenantId}\u0000${JSON.stringify(claims)}`;
  const entry = bySecret.get(key);
  if (entry && entry.reuseUntil > now) return entry.token;
  const token = sign(env, tenantId, claims, now);
  bySecret.delete(key);
  if (bySecret.size >= MAX_KEPT) bySecret.delete(bySecret.keys().next().value!);
  bySecret.set(key, { token, reuseUntil: now + ASSURANCE_REUSE_MS });
  // A failed signature (keys misconfigured) is not kept: the next request tries again.
  token.catch(() => {
    if (bySecret.get(key)?.token === token) bySecret.delete(key);
  });
  return token;
}

/**
 * The key pairs a tenant's assurances are signed with, newest first (the first signs).
 * @example
 * const keys = await assuranceKeys(env, "acme");
 */
export function assuranceKeys(env: Env, tenantId: string): Promise<SigningKey[]> {
  return signingKeys(env, `assurance/${tenantId}`);
}

async function sign(env: Env, tenantId: string, claims: AssuranceClaims, now: number): Promise<string> {
  const [current] = await assuranceKeys(env, tenantId);
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "ES256", kid: current!.kid, typ: ASSURANCE_TYPE })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSURANCE_TTL_SECONDS)
    .setJti(randomId())
    .sign(current!.privateKey);
}
