/**
 * @module
 * Random identifiers that are safe to show and impossible to guess.
 */
import { base64url } from "./encoding";

/** What {@link randomId} makes: 22 base64url characters. */
export const ID_PATTERN = /^[\w-]{22}$/;

/**
 * 128 random bits, base64url without padding (22 characters).
 * @example
 * const challengeId = randomId(); // "q3Zp0J7x2mB1cX9vKkQ4Ww"
 */
export function randomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
