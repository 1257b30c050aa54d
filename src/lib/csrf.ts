/**
 * @module
 * CSRF tokens for the hosted pages' forms: an HMAC of the signed-in session under the derived
 * `csrf` key. A cross-site page cannot read it, and it is useless in another session. (The
 * pages also check `Origin` with Hono's `csrf()` middleware; the token covers browsers that
 * send none.)
 */
import { base64url, fromBase64url } from "./encoding";
import { currentKey, keyById } from "./keyring";

const encoder = new TextEncoder();

/**
 * @example
 * const token = await csrfToken(env, [tenantId, userId, sessionId]);
 */
export async function csrfToken(env: Env, session: string[]): Promise<string> {
  const { kid, key } = await currentKey(env, "csrf");
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(session.join("\u0000")));
  return `${kid}.${base64url(mac)}`;
}

/**
 * Whether `token` was made by {@link csrfToken} for this session (checked in constant time).
 * @example
 * if (!(await csrfTokenValid(env, form.csrf, [tenantId, userId, sessionId]))) throw forbidden;
 */
export async function csrfTokenValid(env: Env, token: unknown, session: string[]): Promise<boolean> {
  if (typeof token !== "string") return false;
  const [kid, mac] = token.split(".");
  if (!kid || !mac) return false;
  const key = await keyById(env, "csrf", kid);
  if (!key) return false;
  try {
    return await crypto.subtle.verify("HMAC", key, fromBase64url(mac), encoder.encode(session.join("\u0000")));
  } catch {
    return false;
  }
}
