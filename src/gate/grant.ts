/**
 * @module
 * Grants: the proof, after a successful verification, that a user may perform an operation.
 * A grant is a JWT (HS256 under the derived `grant` key, signed and checked by `jose`) bound to
 * tenant, user, portal session and operation, and says how and when the user stepped up for it
 * (`amr`, `auth_time`: what the origin's assurance tells). Checking one needs no Durable Object
 * call — except a single-use grant (`maxAge: 0`), which must be spent in the user's object exactly once.
 */
import { errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { serialize } from "hono/utils/cookie";
import { randomId } from "../lib/ids";
import { currentKey, keyById } from "../lib/keyring";
import { recallVerified, rememberVerified } from "../lib/verified-tokens";
import { STEPGATE_COOKIE_PREFIX } from "./stepgate-cookies";

/** A single-use grant (operation `maxAge: 0`) lets the client retry within this window. */
export const ONCE_GRANT_TTL_SECONDS = 300;
const ISSUER = "stepgate";

export interface GrantSubject {
  tenantId: string;
  userId: string;
  sessionId: string;
  operation: string;
}

export interface IssuedGrant {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Good for one request only. */
  once: boolean;
}

/**
 * How and when the user stepped up for a grant: RFC 8176 `amr` values
 * (`factors/authentication-methods.ts`) and the time of that proof (OIDC's `auth_time`), carried
 * by the grant through its renewals into the assurance the origin receives.
 */
export interface StepUpProof {
  amr: string[];
  /** Epoch seconds. */
  authTime: number;
}

export interface CheckedGrant {
  jti: string;
  once: boolean;
  expiresAt: number;
  /** When it was signed (or last renewed), epoch milliseconds. */
  issuedAt: number;
  /** The trusted device it was issued to instead of a code, if any. */
  deviceId: string | null;
  /** For a request-bound grant, the digest of the one request it approves. */
  requestDigest: string | null;
  /** How the user stepped up for it; `null` for a grant that does not say (signed before grants did). */
  proof: StepUpProof | null;
}

/** What else a grant may be bound to. */
export interface GrantBinding {
  /** The trusted device that earned it (revoking the device ends the grant). */
  deviceId?: string | null;
  /** The one request it approves (`request-digest`); such a grant is always single-use. */
  requestDigest?: string | null;
  /** Its id, when the user's object chose it (so the object can spend it, see held requests). */
  jti?: string;
  /** How and when the user stepped up for it (kept through renewals). */
  proof?: StepUpProof | null;
}

/**
 * How old a grant may be before the user's Durable Object is asked whether it still stands
 * (no reset, factor change or device revocation since). This bounds how long a revocation
 * takes to apply, while a grant younger than this is checked by its signature alone.
 */
export const GRANT_RECHECK_MS = 5 * 60_000;

/**
 * Signs a grant for `subject`, fresh for `maxAgeSeconds` (0: one request), or until a given
 * `expiresAt` when an existing grant is renewed.
 * @example
 * const grant = await issueGrant(env, { tenantId, userId, sessionId, operation: "withdraw" }, { maxAgeSeconds: 300 }, Date.now());
 */
export async function issueGrant(
  env: Env,
  subject: GrantSubject,
  lifetime: { maxAgeSeconds: number } | { expiresAt: number },
  now: number,
  binding: GrantBinding = {},
): Promise<IssuedGrant> {
  const { deviceId = null, requestDigest = null, proof = null } = binding;
  const once = requestDigest !== null || ("maxAgeSeconds" in lifetime && lifetime.maxAgeSeconds === 0);
  const issuedAt = Math.floor(now / 1000);
  const expiresAtSeconds =
    "expiresAt" in lifetime ? Math.floor(lifetime.expiresAt / 1000) : issuedAt + (once ? ONCE_GRANT_TTL_SECONDS : lifetime.maxAgeSeconds);
  const { kid, key } = await currentKey(env, "grant");
  const token = await new SignJWT({
    sid: subject.sessionId,
    op: subject.operation,
    once,
    ...(deviceId ? { did: deviceId } : {}),
    ...(requestDigest ? { rd: requestDigest } : {}),
    ...(proof ? { amr: proof.amr, auth_time: proof.authTime } : {}),
  })
    .setProtectedHeader({ alg: "HS256", kid, typ: "stepgate-grant+jwt" })
    .setIssuer(ISSUER)
    .setAudience(subject.tenantId)
    .setSubject(subject.userId)
    .setJti(binding.jti ?? randomId())
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(key);
  return { token, expiresAt: expiresAtSeconds * 1000, once };
}

/**
 * The grant in `token` when it is genuine, unexpired and bound to exactly `subject`; else `null`.
 * @example
 * const grant = await checkGrant(env, token, { tenantId, userId, sessionId, operation }, Date.now());
 */
export async function checkGrant(env: Env, token: string, subject: GrantSubject, now: number): Promise<CheckedGrant | null> {
  const context = `grant|${env.STEPGATE_SECRET_KEYS ?? ""}|${subject.tenantId}|${subject.userId}`;
  try {
    const payload = recallVerified(context, token, now) ?? (await verifiedGrant(env, token, subject, now, context));
    if (payload.sid !== subject.sessionId || payload.op !== subject.operation || typeof payload.jti !== "string") return null;
    return {
      jti: payload.jti,
      once: payload.once === true,
      expiresAt: (payload.exp ?? 0) * 1000,
      issuedAt: (payload.iat ?? 0) * 1000,
      deviceId: typeof payload.did === "string" ? payload.did : null,
      requestDigest: typeof payload.rd === "string" ? payload.rd : null,
      proof: proofOf(payload),
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** The proof a genuine grant's payload names, when it names one whole. */
function proofOf(payload: JWTPayload): StepUpProof | null {
  const { amr, auth_time: authTime } = payload;
  const methods = Array.isArray(amr) && amr.length > 0 && amr.every((method) => typeof method === "string") ? (amr as string[]) : null;
  return methods && typeof authTime === "number" ? { amr: methods, authTime } : null;
}

/** The grant's payload once `jose` has checked signature, issuer, tenant, user, type and expiry. */
async function verifiedGrant(env: Env, token: string, subject: GrantSubject, now: number, context: string) {
  const { payload } = await jwtVerify(token, grantKeys(env), {
    algorithms: ["HS256"],
    issuer: ISSUER,
    audience: subject.tenantId,
    subject: subject.userId,
    typ: "stepgate-grant+jwt",
    currentDate: new Date(now),
    clockTolerance: 0,
  });
  rememberVerified(context, token, payload, now);
  return payload;
}

function grantKeys(env: Env): JWTVerifyGetKey {
  return async ({ kid }) => {
    const key = kid ? await keyById(env, "grant", kid) : null;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}

/** The cookie a browser carries a grant for `operation` in. `__Host-` pins it to this host, path `/`, Secure. */
export function grantCookieName(operation: string): string {
  return `${GRANT_COOKIE_PREFIX}${operation}`;
}

export const GRANT_COOKIE_PREFIX = `${STEPGATE_COOKIE_PREFIX}grant-`;

/** Header API clients send a grant in. */
export const GRANT_HEADER = "StepGate-Grant";

/**
 * The `Set-Cookie` value that carries a grant: `__Host-` pinned to this host and path `/`,
 * `Secure`, `HttpOnly`, `SameSite=Lax`, expiring with the grant.
 * @example
 * response.headers.append("Set-Cookie", grantCookie("login", grant));
 */
export function grantCookie(operation: string, grant: IssuedGrant): string {
  return serialize(grantCookieName(operation), grant.token, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    expires: new Date(grant.expiresAt),
  });
}
