/**
 * @module
 * The addresses the client opens or posts to: stepgate's, on the page's own origin, only.
 */
import type { ChallengeMode } from "./client-settings.js";

/**
 * `value` as an address on the page's own origin, or null.
 *
 * stepgate fronts the portal's domain, so its challenge and completion addresses are always on
 * the page's origin. Anything else in a 401 is not stepgate's: opening it would let any API the
 * page calls put a look-alike challenge (a phishing page) in front of the user.
 * @example
 * sameOriginUrl("/__stepgate/challenge/c1") // URL on location.origin
 * sameOriginUrl("https://elsewhere.example/") // null
 */
export function sameOriginUrl(value: unknown): URL | null {
  if (typeof value !== "string") return null;
  let url: URL;
  try {
    url = new URL(value, location.href);
  } catch {
    return null; // not an address at all: not stepgate's
  }
  return url.origin === location.origin ? url : null;
}

/**
 * The challenge page's address as shown in `mode`: stepgate's pages then end by posting a message
 * (or, redirecting, by coming back), and speak the page's language when it declares one.
 * @example
 * embeddedUrl(new URL("https://portal.example/__stepgate/challenge/c1"), "dialog")
 * // https://portal.example/__stepgate/challenge/c1?embed=dialog&lang=de
 */
export function embeddedUrl(challengeUrl: URL, mode: ChallengeMode): URL {
  const url = new URL(challengeUrl.href);
  url.searchParams.set("embed", mode);
  const lang = document.documentElement.lang;
  if (lang) url.searchParams.set("lang", lang);
  return url;
}
