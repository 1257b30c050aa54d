/**
 * @module
 * Authenticator-app codes (RFC 6238) through `otpauth`: new secrets, the key URI and QR code
 * an app scans, and matching a code to the time step it belongs to.
 */
import { Secret, TOTP } from "otpauth";
import { renderSVG } from "uqr";
import type { Policy } from "../config/policy-schema";

export type TotpSettings = Policy["factors"]["totp"];

/** RFC 4226 §4 asks for at least 128 bits and recommends 160; this is 160. */
const SECRET_BYTES = 20;
const CODE = /^\d+$/;

/** A fresh random secret, base32-encoded as authenticator apps expect. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/**
 * The Google Authenticator key URI (`otpauth://totp/Issuer:label?secret=…&issuer=…`).
 * @example
 * totpUri(secret, settings, "Demo Brokerage", "alice@demo.test")
 */
export function totpUri(secret: string, settings: TotpSettings, issuer: string, label: string): string {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: settings.algorithm,
    digits: settings.digits,
    period: settings.periodSeconds,
  }).toString();
}

/** The key URI as a scannable QR code, an SVG document. */
export function totpQrSvg(uri: string): string {
  return renderSVG(uri, { ecc: "M", border: 2 });
}

/**
 * The time step (counter) `code` is valid for, within `skewSteps` either side of `nowMs`, or
 * `null`. The caller must refuse a step at or before the last one accepted: that is what makes
 * a code good only once, even inside the skew window.
 * @example
 * const step = matchTotpStep(secret, "123456", settings, Date.now());
 */
export function matchTotpStep(secret: string, code: string, settings: TotpSettings, nowMs: number): number | null {
  const token = code.replace(/\s+/g, "");
  if (token.length !== settings.digits || !CODE.test(token)) return null;
  const delta = TOTP.validate({
    token,
    secret: Secret.fromBase32(secret),
    algorithm: settings.algorithm,
    digits: settings.digits,
    period: settings.periodSeconds,
    timestamp: nowMs,
    window: settings.skewSteps,
  });
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / settings.periodSeconds) + delta;
}
