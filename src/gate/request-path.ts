/**
 * @module
 * The canonical form of a request path used for every security decision (operation match,
 * reserved prefix). Origins disagree about paths: many are case-insensitive, collapse `//`,
 * ignore a trailing `/` or `;jsessionid=` parameters. If stepgate compared raw paths,
 * `/Wallet//withdraw;x` would slip past a rule for `/wallet/withdraw`. So the canonical form
 * is the *widest* reading of what every server agrees a path names.
 *
 * Where servers read one path as different paths, no reading is wide enough: the widest for a
 * protected route is the narrowest for an exempt one (`/assets/..%5caccount` is an asset to
 * one server and the account page to IIS). Such a path is refused as `ambiguous_path`, for
 * every request, before anything else: an encoded `/` or `\` (a separator to IIS, nginx and
 * some routers, a character to others), a control character or NUL, a segment ending in `.`
 * or a space (Windows drops them), a `.`/`..` segment that only appears once decoded or once
 * `;params` are dropped (`..;/`, Tomcat's), `;params` before the last segment, an encoded `;`,
 * a malformed or non-UTF-8 escape (IIS's `%u`, overlong `%c0%af`) and an escape left after
 * decoding (a server that decodes twice reads `%252e` as `.`). Ordinary escapes (`%20` inside
 * a name, `%C3%A9`) stay fine, and so does the last segment's `;jsessionid=`. (Spring
 * Security's default firewall refuses more: every `;`, `%2F`, `%5C`, `%25` and `//`.)
 */
import { ProblemError } from "../lib/problem";

/**
 * Canonicalises a URL pathname for matching: percent-decoded, `;params` dropped, dot segments
 * resolved, empty segments and the trailing slash removed, lower-cased. Throws a 400
 * `ambiguous_path` problem for a path servers could read as different paths (see the module).
 * @example
 * canonicalPath("/Wallet//With%64raw;jsessionid=1/") // "/wallet/withdraw"
 * canonicalPath("/api%5cwithdraw") // throws ambiguous_path
 */
export function canonicalPath(pathname: string): string {
  return canonicalForms(pathname).path;
}

/**
 * The canonical path with the last segment's `;params` kept, which exemptions are read against:
 * widest for what is protected, narrowest for what is let off. `/assets;x` is `/assets` to
 * Tomcat and something else to Express, so it is not exempt as `/assets/*` (`/assets/a.css;v=1` is).
 * @example
 * exemptionPath("/Assets/app.css;v=2") // "/assets/app.css;v=2"
 */
export function exemptionPath(pathname: string): string {
  return canonicalForms(pathname).exemption;
}

interface CanonicalForms {
  path: string;
  exemption: string;
}

function canonicalForms(pathname: string): CanonicalForms {
  // One request asks for the same path several times (reserved prefix, login guard, each
  // claimed method): the last answer is kept. Pure, so a stale hit is impossible; a refused
  // path throws before either variable changes, so it is never remembered as an answer.
  if (pathname === lastPath) return lastForms;
  lastForms = canonicalOf(pathname);
  lastPath = pathname;
  return lastForms;
}

let lastPath: string | null = null;
let lastForms: CanonicalForms = { path: "/", exemption: "/" };

/** Why a path is refused, in the words of the problem's detail. */
const AMBIGUITIES = {
  separator: "an encoded slash or backslash (%2F, %5C), which some servers read as a separator and others as a character",
  control: "a control character or NUL, which servers drop, cut at or keep",
  trailing: "a segment ending in a dot or a space (or a space before its .format), which Windows servers drop",
  parameters: "a ;parameter before the last segment, which some servers drop and others keep as part of the name",
  dots: "a . or .. segment hidden by encoding or by a ;parameter, which some servers resolve and others do not",
  semicolon: "an encoded semicolon (%3B), which some servers read as the start of a ;parameter",
  escape: "a malformed or non-UTF-8 percent escape, which servers reject, keep or decode in different ways",
  twice: "an escape that is still there once decoded, which servers that decode twice read as another character",
} as const;

const SEPARATOR = /[/\\]/;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A dot or space at the end, or a space before a dot (`withdraw .json` is `withdraw` to Rails on Windows). */
const TRAILING = /[.\s]$|\s\./;
const ESCAPE_AFTER_DECODING = /%([0-9a-f]{2}|u[0-9a-f]{4})/i;
const ENCODED_SEMICOLON = /%3b/i;

function canonicalOf(pathname: string): CanonicalForms {
  const segments: string[] = [];
  let parameters: string | null = null;
  let parametersAlone = false;
  for (const raw of pathname.split("/")) {
    if (raw === "") continue;
    // Only the last segment may carry `;params` (where Java's `;jsessionid=` goes): elsewhere
    // Tomcat drops them and other servers keep them, so the paths differ from there on.
    if (parameters !== null) refuse("parameters");
    // Literal dot segments are resolved as the URL parser does (it has already, for a request).
    if (raw === ".") continue;
    if (raw === "..") {
      segments.pop();
      continue;
    }
    const decoded = decodeSegment(raw);
    if (SEPARATOR.test(decoded)) refuse("separator");
    if (CONTROL.test(decoded)) refuse("control");
    // Only a raw `;` starts parameters (an encoded one is refused), so the decoded text splits alike.
    const semicolon = decoded.indexOf(";");
    const name = semicolon === -1 ? decoded : decoded.slice(0, semicolon);
    if (semicolon !== -1) {
      parameters = decoded.slice(semicolon).toLowerCase();
      parametersAlone = name === "";
    }
    if (name === "") continue;
    if (name === "." || name === "..") refuse("dots");
    if (TRAILING.test(name)) refuse("trailing");
    segments.push(name.toLowerCase());
  }
  const path = `/${segments.join("/")}`;
  if (parameters === null) return { path, exemption: path };
  // `/a/b;x` keeps `;x` on `b`; `/a/;x` keeps it as a segment of its own.
  return { path, exemption: parametersAlone ? `${path === "/" ? "" : path}/${parameters}` : `${path}${parameters}` };
}

function decodeSegment(segment: string): string {
  if (!segment.includes("%")) return segment;
  if (ENCODED_SEMICOLON.test(segment)) refuse("semicolon");
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return refuse("escape");
  }
  if (ESCAPE_AFTER_DECODING.test(decoded)) refuse("twice");
  return decoded;
}

function refuse(reason: keyof typeof AMBIGUITIES): never {
  throw new ProblemError(400, "ambiguous_path", `The request path has ${AMBIGUITIES[reason]}; send it in its plain form.`, { reason });
}

/** Whether a canonical path is inside stepgate's reserved prefix and must never reach the origin. */
export function isReservedPath(canonical: string): boolean {
  return canonical === "/__stepgate" || canonical.startsWith("/__stepgate/");
}
