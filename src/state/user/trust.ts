/**
 * @module
 * Trusting a device, using and revoking that trust, and whether a grant still stands.
 */
import { LOGIN } from "../../config/operation-schema";
import { randomId } from "../../lib/ids";
import type { RequestOrigin } from "./audit";
import type { UserContext } from "./context";
import { addDevice, removeDevice, touchDevice, trustedDevice } from "./devices";
import { isNewPlace, loadPlaces, notePlace, placeOf } from "./places";
import { setting } from "./settings";

/**
 * Whether a grant issued at `issuedAt` still stands: no reset, factor change or other
 * revocation since, and, for a grant a trusted device earned, that device is still trusted.
 */
export async function grantStillGood(user: UserContext, issuedAt: number, deviceId: string | null): Promise<boolean> {
  if (issuedAt < (setting(user.sql, "revoked_before") ?? 0)) return false;
  return deviceId === null || trustedDevice(user.sql, deviceId, Date.now()) !== null;
}

/**
 * Remembers this browser as trusted for `days`; past `max` devices the oldest is dropped.
 * `null` when everything was revoked after the verification (`provedAt`) that asked for it.
 */
export async function trustDevice(
  user: UserContext,
  input: { name: string; days: number; max: number; origin: RequestOrigin; provedAt: number },
): Promise<{ deviceId: string; expiresAt: number } | null> {
  const now = Date.now();
  // The verification that asked for trust came before a reset or factor change: no trust.
  if (input.provedAt < (setting(user.sql, "revoked_before") ?? 0)) return null;
  const deviceId = randomId();
  const expiresAt = now + input.days * 86_400_000;
  addDevice(user.sql, { id: deviceId, name: input.name.slice(0, 120), ip: input.origin.ip, expiresAt, max: input.max }, now);
  user.record(now, "device.trusted", input.origin, { deviceId, name: input.name.slice(0, 120) });
  return { deviceId, expiresAt };
}

/**
 * What using a trusted device for a sign-in came to: `trusted` (it skips the verification),
 * `untrusted` (revoked, expired, unknown), or `new_location` (still trusted, but the sign-in
 * comes from a place new to the user and `login.newLocation` is on: the user verifies).
 */
export type TrustedDeviceUse = "trusted" | "untrusted" | "new_location";

/**
 * Uses a trusted device to skip the verification of `use.operation`: when it does, its last use
 * is noted, and for a sign-in (`login`) the place. Nothing is recorded for `new_location`: a
 * request that is set aside is followed by a challenge, and the verification that answers it
 * says so (`signin.new_location`); a thief holding the device's cookie cannot fill the audit
 * trail with refusals.
 */
export async function useTrustedDevice(
  user: UserContext,
  deviceId: string,
  origin: RequestOrigin,
  use: { operation: string; newLocation: boolean },
): Promise<TrustedDeviceUse> {
  const now = Date.now();
  if (!trustedDevice(user.sql, deviceId, now)) return "untrusted";
  const place = placeOf(origin);
  const signIn = use.operation === LOGIN;
  if (signIn && use.newLocation && isNewPlace(loadPlaces(user.sql), place)) return "new_location";
  user.transaction(() => {
    touchDevice(user.sql, deviceId, origin.ip, now);
    if (signIn) notePlace(user.sql, place, now);
  });
  user.record(now, "login.trusted_device", origin, { deviceId });
  return "trusted";
}

/** Stops trusting a device; grants it earned end at their next check. */
export async function revokeDevice(user: UserContext, deviceId: string, origin: RequestOrigin, actor: string): Promise<boolean> {
  if (!removeDevice(user.sql, deviceId)) return false;
  user.record(Date.now(), "device.revoked", origin, { deviceId, actor });
  return true;
}
