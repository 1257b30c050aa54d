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

/** A challenge id as stepgate makes them: it goes into the addresses below as it is. */
const CHALLENGE_ID = /^[\w-]{1,64}$/;

/**
 * `value` as the address of challenge `challengeId`'s own page on the page's origin (the
 * challenge, or the enrolment it starts with), or null.
 *
 * The same origin is not enough: any page of the portal could be framed as the "challenge", and
 * one of stepgate's own, `/challenge/:id/finished`, tells the window that shows it "verified" at
 * once, whatever the challenge. Only the page that asks for the second factor is ever shown.
 * @example
 * challengePageUrl("/__stepgate/challenge/c1", "c1") // URL
 * challengePageUrl("/__stepgate/challenge/c1/finished", "c1") // null
 */
export function challengePageUrl(value: unknown, challengeId: string): URL | null {
  const url = sameOriginUrl(value);
  if (!url || !CHALLENGE_ID.test(challengeId)) return null;
  const page = url.pathname === `/__stepgate/challenge/${challengeId}`;
  const enrolment = url.pathname === "/__stepgate/enroll" && url.searchParams.get("challenge") === challengeId;
  return page || enrolment ? url : null;
}

/**
 * `value` as the address where stepgate sends challenge `challengeId`'s held request, or null:
 * the client POSTs there with the user's cookies once told "verified", so it must be stepgate's,
 * which checks the verification itself, and never another of the portal's endpoints.
 * @example
 * completionUrl("/__stepgate/api/challenges/c1/complete", "c1") // URL
 * completionUrl("/api/account/close", "c1") // null
 */
export function completionUrl(value: unknown, challengeId: string): URL | null {
  const url = sameOriginUrl(value);
  if (!url || !CHALLENGE_ID.test(challengeId)) return null;
  return url.pathname === `/__stepgate/api/challenges/${challengeId}/complete` && !url.search ? url : null;
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
