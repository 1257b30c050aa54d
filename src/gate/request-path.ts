/**
 * @module
 * The canonical form of a request path used for every security decision (operation match,
 * reserved prefix). Origins disagree about paths: many are case-insensitive, collapse `//`,
 * ignore a trailing `/` or `;jsessionid=` parameters and decode `%2F`. If stepgate compared
 * raw paths, `/Wallet//withdraw;x` would slip past a rule for `/wallet/withdraw`. So the
 * canonical form is deliberately the *widest* reading: when in doubt, two spellings match.
 */

/**
 * Canonicalises a URL pathname for matching: percent-decoded (a decoded `/` splits the
 * segment), `;params` dropped, dot segments resolved, empty segments and the trailing slash
 * removed, lower-cased.
 * @example
 * canonicalPath("/Wallet//With%64raw;jsessionid=1/") // "/wallet/withdraw"
 */
export function canonicalPath(pathname: string): string {
  // One request asks for the same path several times (reserved prefix, login guard, each
  // claimed method): the last answer is kept. Pure, so a stale hit is impossible.
  if (pathname === lastPath) return lastCanonical;
  lastCanonical = canonicalOf(pathname);
  lastPath = pathname;
  return lastCanonical;
}

let lastPath: string | null = null;
let lastCanonical = "/";

function canonicalOf(pathname: string): string {
  const segments: string[] = [];
  for (const raw of pathname.split("/")) {
    for (const part of decodeSegment(raw.split(";", 1)[0] ?? "").split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") segments.pop();
      else segments.push(part.toLowerCase());
    }
  }
  return `/${segments.join("/")}`;
}

function decodeSegment(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed escapes stay as written: the origin cannot read them as another path either.
    return segment;
  }
}

/** Whether a canonical path is inside stepgate's reserved prefix and must never reach the origin. */
export function isReservedPath(canonical: string): boolean {
  return canonical === "/__stepgate" || canonical.startsWith("/__stepgate/");
}
