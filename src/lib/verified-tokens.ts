/**
 * @module
 * A short memory of the JWTs this isolate has verified (portal sessions, grants), so that a
 * user's every page load does not pay again for the same signature check. An entry is keyed
 * by the token and what it was verified against, and kept at most {@link VERIFIED_TOKEN_MS}
 * and never past the token's own expiry; whatever the caller checks beyond the signature
 * (session, operation, tenant) is still checked on every request. So a key rotation or an
 * identity setting change applies within a minute, like the policy cache.
 */
import type { JWTPayload } from "jose";

export const VERIFIED_TOKEN_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  payload: JWTPayload;
  /** Until when the verification may be reused (ms). */
  until: number;
}

const verified = new Map<string, Entry>();

/**
 * The payload of `token` if it was verified against `context` recently and has not expired.
 * @example
 * const payload = recallVerified(`grant|${keys}`, token, Date.now()) ?? (await verifyAndRemember());
 */
export function recallVerified(context: string, token: string, now: number): JWTPayload | null {
  const entry = verified.get(`${context}\u0000${token}`);
  return entry && entry.until > now ? entry.payload : null;
}

/** Remembers a payload `jose` has just verified for `token` against `context`. */
export function rememberVerified(context: string, token: string, payload: JWTPayload, now: number): void {
  const expiresAt = typeof payload.exp === "number" ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
  if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value!);
  verified.set(`${context}\u0000${token}`, { payload, until: Math.min(expiresAt, now + VERIFIED_TOKEN_MS) });
}
