/**
 * @module
 * What every hosted page shares: the session's CSRF token for its forms, the check of a
 * submitted form against it, the form size limit, the browser's credential a passkey form
 * carries, `Cache-Control: no-store`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { SessionEnv } from "../app-env";
import { csrfToken, csrfTokenValid } from "../lib/csrf";
import { ProblemError, problem } from "../lib/problem";

/**
 * A hosted-page form is a few short fields, or a passkey's: the browser's credential as JSON,
 * URL-encoded (2 KiB for an RSA key; a long security-key credential id appears in it four
 * times), which the JSON API takes up to 8 KiB too.
 */
export const MAX_FORM_BYTES = 8 * 1024;

/** Refuses a form body over {@link MAX_FORM_BYTES} with 413 before it is read. */
export const limitForm = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: () => problem(413, "body_too_large", `A form is at most ${MAX_FORM_BYTES} bytes.`) });

/** The CSRF token for forms of this portal session. */
export function sessionCsrf(c: Context<SessionEnv>): Promise<string> {
  const { tenant, identity } = c.var;
  return csrfToken(c.env, [tenant.tenantId, identity.userId, identity.sessionId]);
}

/**
 * The submitted form, once its CSRF token is proven to be this session's; a 403 otherwise.
 * @example
 * const form = await checkedForm(c);
 */
export async function checkedForm(c: Context<SessionEnv>): Promise<Record<string, unknown>> {
  const form = await c.req.parseBody();
  const { tenant, identity } = c.var;
  if (!(await csrfTokenValid(c.env, form.csrf, [tenant.tenantId, identity.userId, identity.sessionId]))) {
    throw new ProblemError(403, "csrf_failed", "This form has expired or did not come from this site. Go back, reload the page and try again.");
  }
  return form;
}

/**
 * The browser's credential a passkey form sends in its `response` field (`credential.toJSON()`,
 * as JSON); `null` when the field is not JSON, which the passkey check refuses as malformed.
 * @example
 * await answerChallenge(c, id, { factor: "webauthn", response: submittedCredential(form) });
 */
export function submittedCredential(form: Record<string, unknown>): unknown {
  if (typeof form.response !== "string") return null;
  try {
    return JSON.parse(form.response);
  } catch {
    // Not JSON: no credential, refused as one that cannot be read.
    return null;
  }
}

/** Pages carry secrets (TOTP keys, backup codes, CSRF tokens): never cache them anywhere. */
export const noStore: MiddlewareHandler<SessionEnv> = async function noStore(c, next) {
  await next();
  c.header("Cache-Control", "no-store");
};
