/**
 * @module
 * Where a request carries the portal session, read as widely as any common server reads it.
 * A session stepgate does not see passes its login guard unverified, so any cookie or header
 * whose name a server could read as the policy's (same letters and digits, see
 * {@link lookalikeKey}: `portal.session`, `Portal_Session`, `portal%5Fsession`, `X_Portal_Token`)
 * counts as the session: stepgate verifies it, refuses two different ones as ambiguous, and
 * takes every one of them out when it lets a request on without a verified session. One rule
 * for every reader, rather than a list of readers, is what keeps the next reader covered too.
 */
import { lookalikeKey } from "../lib/lookalike-name";
import { ProblemError } from "../lib/problem";

/**
 * The session values in a `Cookie` header: every `name=value` whose name reads as `cookie`,
 * trimmed and unquoted. A comma beside such a cookie is refused: RFC 6265 servers read
 * `a=1,portal_session=x` as one cookie `a`, RFC 2965 ones (and old Rack, Java) as two, so
 * the origin could see a session stepgate did not, or a different value.
 * @example
 * sessionCookieValues("theme=dark; Portal.Session=eyJ…", "portal_session") // ["eyJ…"]
 */
export function sessionCookieValues(header: string, cookie: string): string[] {
  const key = lookalikeKey(cookie);
  const values: string[] = [];
  for (const pair of header.split(";")) {
    if (!pairCarriesSession(pair, key)) continue;
    if (pair.includes(",")) {
      throw new ProblemError(
        400,
        "ambiguous_session",
        'A cookie beside the portal session is joined to it with a comma, which servers read either as one cookie or as two; separate cookies with ";".',
      );
    }
    const value = pair
      .slice(pair.indexOf("=") + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (pair.includes("=") && value) values.push(value);
  }
  return values;
}

/**
 * The session values in headers whose name reads as `header`, a `Bearer ` prefix removed.
 * Copies of a header arrive joined by `,`: each copy counts, so two different ones are seen.
 * @example
 * sessionHeaderValues(new Headers({ X_Portal_Token: "Bearer eyJ…" }), "X-Portal-Token") // ["eyJ…"]
 */
export function sessionHeaderValues(headers: Headers, header: string): string[] {
  const values: string[] = [];
  for (const name of sessionHeaderNames(headers, header)) {
    for (const copy of (headers.get(name) ?? "").split(",")) {
      const value = copy
        .trim()
        .replace(/^Bearer\s+/i, "")
        .trim();
      if (value) values.push(value);
    }
  }
  return values;
}

/**
 * The names of the request headers that read as `header` (lower-cased, as `Headers` gives them).
 * @example
 * sessionHeaderNames(new Headers({ "X_Portal_Token": "t" }), "X-Portal-Token") // ["x_portal_token"]
 */
export function sessionHeaderNames(headers: Headers, header: string): string[] {
  const key = lookalikeKey(header);
  const names: string[] = [];
  for (const [name] of headers) if (lookalikeKey(name) === key) names.push(name);
  return names;
}

/**
 * Whether one `;`-separated pair of a `Cookie` header holds a cookie that reads as `cookieKey`
 * (a {@link lookalikeKey}), alone or among `,`-separated ones.
 * @example
 * pairCarriesSession(" x=1,portal.session=t", lookalikeKey("portal_session")) // true
 */
export function pairCarriesSession(pair: string, cookieKey: string): boolean {
  for (const piece of pair.split(",")) {
    const equals = piece.indexOf("=");
    if (lookalikeKey(equals === -1 ? piece : piece.slice(0, equals)) === cookieKey) return true;
  }
  return false;
}
