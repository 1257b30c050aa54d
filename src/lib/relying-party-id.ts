/**
 * @module
 * Which WebAuthn relying party IDs a host may use: the host itself, or a parent domain of it
 * that is not a public suffix — the rule browsers apply (WebAuthn §5.1.3 step 8), checked
 * before stepgate hands the ID to a browser, so a misconfigured `rpId` is refused by name
 * instead of surfacing as a `SecurityError` in the user's browser.
 *
 * The public suffix check is deliberately small: every single-label name (`com`, `uk`), and
 * the multi-label suffixes in {@link SHARED_SUFFIXES} — the common second-level country
 * suffixes and the hosting domains where tenants share a parent. It is not the whole Public
 * Suffix List (≈ 10,000 entries); a suffix missing here is still refused by the browser, just
 * later and less clearly.
 */

/**
 * Multi-label public suffixes a tenant could plausibly name, where a passkey would work on every
 * site under it: second-level country suffixes, then hosting domains whose subdomains belong to
 * different customers.
 */
const SHARED_SUFFIXES = new Set(
  `
  co.uk org.uk me.uk ltd.uk plc.uk net.uk ac.uk gov.uk nhs.uk com.au net.au org.au edu.au gov.au co.nz org.nz
  net.nz govt.nz co.jp ne.jp or.jp ac.jp go.jp co.kr or.kr ne.kr com.br net.br org.br gov.br com.cn net.cn
  org.cn gov.cn com.hk com.sg com.tw com.my com.ph co.in net.in org.in gov.in co.za org.za com.mx com.ar
  com.co com.tr com.ua com.pl co.il co.id
  workers.dev pages.dev github.io gitlab.io netlify.app vercel.app herokuapp.com appspot.com web.app
  firebaseapp.com azurewebsites.net cloudfront.net blogspot.com fly.dev onrender.com ngrok.io ngrok-free.app
  `
    .trim()
    .split(/\s+/),
);

/** A DNS name: lowercase letter-digit-hyphen labels separated by dots. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d+(\.\d+){3}$/;

/**
 * Whether `domain` is a public suffix (as far as this module knows): a single label or one of
 * the listed shared suffixes.
 * @example
 * isPublicSuffix("com")       // true
 * isPublicSuffix("co.uk")     // true
 * isPublicSuffix("acme.com")  // false
 */
export function isPublicSuffix(domain: string): boolean {
  return !domain.includes(".") || SHARED_SUFFIXES.has(domain);
}

/**
 * Whether `rpId` is a valid relying party ID: a lowercase domain name that is not a public
 * suffix (`localhost` excepted, for development) and not an IP address, which browsers refuse.
 * @example
 * isRelyingPartyId("acme.com")  // true
 * isRelyingPartyId("co.uk")     // false
 */
export function isRelyingPartyId(rpId: string): boolean {
  if (rpId === "localhost") return true;
  return DOMAIN.test(rpId) && !IPV4.test(rpId) && !isPublicSuffix(rpId);
}

/**
 * Whether a page served on `host` (a `Host` header: any port is ignored, case too) may use
 * `rpId`: it must be the host itself or a parent domain of it that is not a public suffix.
 * @example
 * rpIdAllowed("acme.com", "portal.acme.com")   // true
 * rpIdAllowed("acme.com", "evilacme.com")      // false
 * rpIdAllowed("com", "portal.acme.com")        // false
 */
export function rpIdAllowed(rpId: string, host: string): boolean {
  const hostname = host.toLowerCase().replace(/:\d+$/, "");
  if (!isRelyingPartyId(rpId)) return false;
  return hostname === rpId || hostname.endsWith(`.${rpId}`);
}
