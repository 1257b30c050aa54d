/**
 * @module
 * Authenticator-app codes (RFC 6238: RFC 4226's HOTP on the time step, HMAC by WebCrypto): new
 * secrets, the key URI and QR code an app scans, and matching a code to the time step it
 * belongs to. The tests check it against RFC 6238's vectors and an independent implementation
 * (otpauth, which the worker once bundled: ~10 KiB gzipped, with its own SHA-1, SHA-2 and SHA-3).
 */
import { renderSVG } from "uqr";
import type { Policy } from "../config/policy-schema";
import { digestsEqual } from "../lib/crypto";

export type TotpSettings = Policy["factors"]["totp"];

/** RFC 4226 §4 asks for at least 128 bits and recommends 160; this is 160. */
const SECRET_BYTES = 20;
const CODE = /^\d+$/;
/** RFC 4648 base32, as authenticator apps read secrets (written without padding). */
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HASH_OF = { SHA1: "SHA-1", SHA256: "SHA-256", SHA512: "SHA-512" } as const;

/** A fresh random secret, base32-encoded as authenticator apps expect. */
export function newTotpSecret(): string {
  return toBase32(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/**
 * The Google Authenticator key URI (`otpauth://totp/Issuer:label?issuer=…&secret=…`).
 * @example
 * totpUri(secret, settings, "Demo Brokerage", "alice@demo.test")
 */
export function totpUri(secret: string, settings: TotpSettings, issuer: string, label: string): string {
  const e = encodeURIComponent;
  const name = issuer ? `${e(issuer)}:${e(label)}?issuer=${e(issuer)}&` : `${e(label)}?`;
  return `otpauth://totp/${name}secret=${e(secret)}&algorithm=${settings.algorithm}&digits=${settings.digits}&period=${settings.periodSeconds}`;
}

/** The key URI as a scannable QR code, an SVG document. */
export function totpQrSvg(uri: string): string {
  return renderSVG(uri, { ecc: "M", border: 2 });
}

/**
 * The time step (counter) `code` is valid for, within `skewSteps` either side of `nowMs`, or
 * `null`; the current step is tried first, then outwards. The caller must refuse a step at or
 * before the last one accepted: that is what makes a code good only once, even inside the skew
 * window.
 * @example
 * const step = await matchTotpStep(secret, "123456", settings, Date.now());
 */
export async function matchTotpStep(secret: string, code: string, settings: TotpSettings, nowMs: number): Promise<number | null> {
  const token = code.replace(/\s+/g, "");
  if (token.length !== settings.digits || !CODE.test(token)) return null;
  const key = await crypto.subtle.importKey("raw", fromBase32(secret), { name: "HMAC", hash: HASH_OF[settings.algorithm] }, false, ["sign"]);
  const now = Math.floor(nowMs / 1000 / settings.periodSeconds);
  const steps = [now];
  for (let skew = 1; skew <= settings.skewSteps; skew++) steps.push(now - skew, now + skew);
  for (const step of steps) {
    if (step >= 0 && digestsEqual(await hotp(key, step, settings.digits), token)) return step;
  }
  return null;
}

/** RFC 4226 §5.3: the HMAC of the 8-byte counter, dynamically truncated to `digits` digits. */
async function hotp(key: CryptoKey, counter: number, digits: number): Promise<string> {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

function toBase32(bytes: Uint8Array): string {
  let text = "";
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    for (; bits >= 5; bits -= 5) text += BASE32[(value >>> (bits - 5)) & 31];
  }
  return bits > 0 ? text + BASE32[(value << (5 - bits)) & 31] : text;
}

/** Reads base32 as apps write it: any case, spaces and padding ignored. */
function fromBase32(text: string): Uint8Array<ArrayBuffer> {
  const digits = text.replace(/[\s=]/g, "").toUpperCase();
  const bytes = new Uint8Array(Math.floor((digits.length * 5) / 8));
  let value = 0;
  let bits = 0;
  let length = 0;
  for (const digit of digits) {
    const index = BASE32.indexOf(digit);
    if (index === -1) throw new Error("a TOTP secret is not base32");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[length++] = (value >>> bits) & 0xff;
    }
  }
  return bytes;
}
