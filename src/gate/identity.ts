/**
 * @module
 * Who the user is, read from the portal's own session JWT as the tenant's policy describes it.
 * Signatures and claims are checked by `jose`; a token that is missing, expired, forged or for
 * another issuer or audience makes the request anonymous. A key that cannot be fetched is not
 * the user's fault and is reported as a 503 instead.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { isIdentitySecretRef } from "../config/credentials";
import type { IdentityConfig } from "../config/policy-schema";
import { boundedMemo } from "../lib/bounded-memo";
import { sha256Hex } from "../lib/crypto";
import { isEmailAddress } from "../lib/email-address";
import { ProblemError } from "../lib/problem";
import { recallVerified, rememberVerified } from "../lib/verified-tokens";
import { sessionCookieValues, sessionHeaderValues } from "./session-carriers";

export interface Identity {
  userId: string;
  /** The portal session; a hash of the token when the portal puts no session id in it. */
  sessionId: string;
  /**
   * The session's email claim when it is one plain address ({@link isEmailAddress}). Alerts are
   * sent to it, so anything else (a display name, a second address, a line break a portal's
   * profile field let through) is no address at all: left out, as if the claim were absent.
   */
  email?: string;
  phone?: string;
  groups: string[];
  /** The portal's language for the user, when the policy names its claim (`identity.claims.locale`). */
  locale?: string;
}

/** jose errors that mean "this token is not good", as opposed to "the keys are unreachable". */
const TOKEN_FAULTS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

/** JWKS documents are cached per URL by jose: refetched after 10 min, or on an unknown `kid`. */
const JWKS_CACHE_MAX_AGE_MS = 600_000;
const JWKS_TIMEOUT_MS = 5_000;
/**
 * Key sets an isolate keeps, the oldest dropped past this: a policy names any https URL, so
 * without a bound the URLs tenants' policies name (each a key set and its fetched document, kept
 * for the isolate's life) would grow its memory without end. As many as the policies it caches.
 */
export const MAX_KEY_SETS = 1_000;
const remoteKeySets = boundedMemo<string, JWTVerifyGetKey>(MAX_KEY_SETS);
const hmacKeys = new Map<string, CryptoKey>();

/**
 * The identity in the request's portal session, or `null` when there is no valid session.
 * @example
 * const user = await readIdentity(c.req.raw, policy.identity, c.env);
 */
export async function readIdentity(request: Request, config: IdentityConfig, env: object): Promise<Identity | null> {
  const token = tokenOf(request, config);
  if (!token) return null;
  const now = Date.now();
  const context = `identity|${config.algorithm === "HS256" ? config.secretRef : config.jwksUrl}|${config.issuer ?? ""}|${config.audience ?? ""}`;
  const recalled = recallVerified(context, token, now);
  if (recalled) return identityOf(recalled, config, token);
  const key = config.algorithm === "HS256" ? await hmacKey(config.secretRef, env) : remoteKeySet(config.jwksUrl);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [config.algorithm],
      issuer: config.issuer,
      audience: config.audience,
      // A shared identity provider's token must expire; the portal's own HS256 session may not.
      requiredClaims: config.algorithm === "HS256" ? [] : ["exp"],
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code)) return null;
    console.error("stepgate: identity keys unavailable", error);
    throw new ProblemError(503, "identity_unavailable", "The portal's signing keys could not be loaded; try again.");
  }
  rememberVerified(context, token, payload, now);
  return identityOf(payload, config, token);
}

/**
 * The session token, from the cookie or the header the policy names, or any that a server could
 * read as them (see session-carriers). Two different tokens in one request (a duplicated
 * cookie, a look-alike name, cookie and header disagreeing) are refused: stepgate and the
 * origin might each read a different one and act for different users.
 */
function tokenOf(request: Request, config: IdentityConfig): string | undefined {
  const tokens = new Set<string>();
  if (config.cookie) for (const value of sessionCookieValues(request.headers.get("Cookie") ?? "", config.cookie)) tokens.add(value);
  if (config.header) for (const value of sessionHeaderValues(request.headers, config.header)) tokens.add(value);
  if (tokens.size > 1) {
    throw new ProblemError(
      400,
      "ambiguous_session",
      "The request carries more than one portal session (in the session cookie or header, or under names a server could read as theirs); send one.",
    );
  }
  return tokens.values().next().value;
}

async function hmacKey(secretRef: string, env: object): Promise<CryptoKey> {
  // A policy put in KV by hand is held to the admin API's rule before any secret is read.
  if (!isIdentitySecretRef(secretRef)) {
    throw new ProblemError(
      503,
      "identity_misconfigured",
      `The policy names ${secretRef} as the session key; it must be an identity secret, TENANT_<tenant>_JWT_SECRET.`,
    );
  }
  const secret = (env as Record<string, unknown>)[secretRef];
  if (typeof secret !== "string" || secret.length === 0) {
    throw new ProblemError(503, "identity_misconfigured", `The Worker secret ${secretRef} named by the policy is not set.`);
  }
  const cacheKey = `${secretRef}\u0000${secret}`;
  let key = hmacKeys.get(cacheKey);
  if (!key) {
    key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    hmacKeys.set(cacheKey, key);
  }
  return key;
}

function remoteKeySet(url: string): JWTVerifyGetKey {
  return remoteKeySets.get(url, () => createRemoteJWKSet(new URL(url), { cacheMaxAge: JWKS_CACHE_MAX_AGE_MS, timeoutDuration: JWKS_TIMEOUT_MS }));
}

async function identityOf(payload: JWTPayload, config: IdentityConfig, token: string): Promise<Identity | null> {
  const { claims } = config;
  const userId = scalar(payload[claims.userId]);
  if (!userId) return null;
  const groups = payload[claims.groups];
  return {
    userId,
    sessionId: scalar(payload[claims.sessionId]) ?? `token:${(await sha256Hex(token)).slice(0, 32)}`,
    email: emailClaim(payload[claims.email]),
    phone: scalar(payload[claims.phone]),
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : typeof groups === "string" ? [groups] : [],
    locale: claims.locale ? scalar(payload[claims.locale]) : undefined,
  };
}

function emailClaim(value: unknown): string | undefined {
  return isEmailAddress(value) ? value : undefined;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}
