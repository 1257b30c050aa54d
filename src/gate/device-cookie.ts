/**
 * @module
 * The trusted-device cookie: a signed JWT (the `grant` key, its own `typ`) naming tenant, user
 * and device, `HttpOnly`, pinned to this host, for `trustedDevices.days`. The cookie alone
 * proves nothing: the device must also still be listed in the user's Durable Object.
 */
import { errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { serialize } from "hono/utils/cookie";
import type { Policy } from "../config/policy-schema";
import { currentKey, keyById } from "../lib/keyring";
import { STEPGATE_COOKIE_PREFIX } from "./stepgate-cookies";

export const DEVICE_COOKIE = `${STEPGATE_COOKIE_PREFIX}device`;
const TYPE = "stepgate-device+jwt";

/** Whether the policy lets a trusted device skip `operation` (by default only `login`). */
export function devicesMaySkip(policy: Policy, operation: string): boolean {
  return policy.trustedDevices.enabled && policy.trustedDevices.operations.includes(operation);
}

/**
 * The `Set-Cookie` value trusting this browser as `deviceId` until `expiresAt`.
 * @example
 * c.header("Set-Cookie", await deviceCookie(env, tenantId, userId, deviceId, expiresAt), { append: true });
 */
export async function deviceCookie(env: Env, tenantId: string, userId: string, deviceId: string, expiresAt: number): Promise<string> {
  const { kid, key } = await currentKey(env, "grant");
  const token = await new SignJWT({ did: deviceId })
    .setProtectedHeader({ alg: "HS256", kid, typ: TYPE })
    .setIssuer("stepgate")
    .setAudience(tenantId)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(key);
  return serialize(DEVICE_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", expires: new Date(expiresAt) });
}

/**
 * The device id in a genuine, unexpired device cookie of this tenant's user; else `null`.
 * @example
 * const deviceId = await trustedDeviceId(env, getCookie(c, DEVICE_COOKIE), tenantId, userId);
 */
export async function trustedDeviceId(env: Env, token: string | undefined, tenantId: string, userId: string): Promise<string | null> {
  if (!token) return null;
  const keys: JWTVerifyGetKey = async ({ kid }) => {
    const key = kid ? await keyById(env, "grant", kid) : null;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
  try {
    const { payload } = await jwtVerify(token, keys, { algorithms: ["HS256"], issuer: "stepgate", audience: tenantId, subject: userId, typ: TYPE });
    return typeof payload.did === "string" ? payload.did : null;
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** A short name for a device, from its user agent: "Chrome on Android". */
export function deviceName(userAgent: string | null): string {
  const ua = userAgent ?? "";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const system = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : "an unknown system";
  return `${browser} on ${system}`;
}
