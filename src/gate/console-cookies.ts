/**
 * @module
 * The cookies of the admin console's key sign-in: the session (`__Host-stepgate-console`) and
 * the sign-in form's CSRF nonce. Both share one prefix so the gate keeps them from the origin:
 * `__Host-` cookies are sent on every path of the portal's host, and a console session must
 * never reach the portal's own servers.
 */
import { serialize } from "hono/utils/cookie";
import { STEPGATE_COOKIE_PREFIX } from "./stepgate-cookies";

export const CONSOLE_COOKIE_PREFIX = `${STEPGATE_COOKIE_PREFIX}console`;
/** The console session opened with an API key: a random token the tenant's object knows by its hash. */
export const CONSOLE_SESSION_COOKIE = CONSOLE_COOKIE_PREFIX;
/** The sign-in form's nonce, which its CSRF token is bound to (there is no session yet to bind it to). */
export const CONSOLE_FORM_COOKIE = `${CONSOLE_COOKIE_PREFIX}-form`;

/**
 * A console cookie: `__Host-` (this host, path `/`, Secure), HttpOnly, and `SameSite=Strict`:
 * no request another site starts, not even a link, carries it.
 * @example
 * c.header("Set-Cookie", consoleCookie(CONSOLE_SESSION_COOKIE, token, 8 * 3600));
 */
export function consoleCookie(name: string, value: string, maxAgeSeconds: number): string {
  return serialize(name, value, { path: "/", secure: true, httpOnly: true, sameSite: "Strict", maxAge: maxAgeSeconds });
}
