/**
 * @module
 * Who may use the admin console (`/__stepgate/admin/`), and with which scopes. Two ways in:
 *
 * - a console session opened with an API key at the sign-in form (its cookie, checked against
 *   the tenant's object on every request: sign-out, revocation and the timeouts apply at once);
 * - the portal's own session, for a user whose groups claim names a group of `admins.groups`,
 *   behind a fresh second factor: the gate's step-up for stepgate's own operation
 *   `admin_console` (see `requirement.ts` for why it is always asked).
 *
 * Every console route then reads `c.var.admin` (`{ actor, scopes }`, the actor recorded with
 * each action) and names the scope it needs with `requireConsoleScope`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import type { AppEnv, ConsoleEnv } from "../app-env";
import { consoleScopes, type AdminScope } from "../config/admins-schema";
import { ADMIN_CONSOLE, OperationSchema, type Policy } from "../config/policy-schema";
import { CONSOLE_SESSION_COOKIE } from "../gate/console-cookies";
import { readIdentity } from "../gate/identity";
import type { MatchedOperation } from "../gate/operation-match";
import { stepUp } from "../gate/step-up";
import { csrfToken, csrfTokenValid } from "../lib/csrf";
import { sha256Hex } from "../lib/crypto";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { type LiveConsoleSession, tenantState } from "../state/tenant";

export const CONSOLE_BASE = "/__stepgate/admin";
/** The JSON admin API (bearer keys, problems) under the console's base; not the console's. */
export const ADMIN_API_BASE = `${CONSOLE_BASE}/v1`;
export const CONSOLE_SIGN_IN_PATH = `${CONSOLE_BASE}/sign-in`;

/** `admin_console` as the gate's step-up reads an operation: no routes of its own, nothing shown, not bound to a request. */
const CONSOLE_OPERATION = OperationSchema.parse({ routes: [] });

/**
 * Sets `c.var.admin`, `c.var.policy` and `c.var.signIn`, or answers: a page load with no way in
 * goes to the sign-in form (or, with key sign-in off, gets the 401 "sign in to the portal"
 * page); a portal user in no admin group gets 403 `not_an_admin`; a portal admin without a
 * fresh factor is sent to the `admin_console` challenge (or to enrol first) and back.
 * @example
 * consolePages.use("/users/*", consoleAccess());
 */
export function consoleAccess(): MiddlewareHandler<ConsoleEnv> {
  return async function consoleAccess(c, next) {
    const { tenant } = c.var;
    if (tenant.status !== "ok") throw new ProblemError(503, "policy_invalid", `Tenant ${tenant.tenantId} ${tenant.reason}.`, { tenant: tenant.tenantId });
    const { policy } = tenant;
    c.set("policy", policy);
    // An explicit key sign-in wins over the portal session the same browser may also carry.
    const token = getCookie(c, CONSOLE_SESSION_COOKIE);
    // Turning key sign-in off (`admins.keySignIn`) also ends the key sessions already open.
    if (token) {
      const session = policy.admins.keySignIn
        ? await reachState<LiveConsoleSession | null>(async () => tenantState(c.env, tenant.tenantId).consoleSession(token, await bootstrapFingerprint(c.env)))
        : null;
      if (session) {
        c.set("admin", { actor: session.actor, scopes: session.scopes });
        c.set("signIn", { kind: "key", token, expiresAt: session.expiresAt });
        return next();
      }
      deleteCookie(c, CONSOLE_SESSION_COOKIE, { path: "/", secure: true });
    }
    const identity = await readIdentity(c.req.raw, policy.identity, c.env);
    if (!identity) {
      if (policy.admins.keySignIn && c.req.method === "GET") return c.redirect(CONSOLE_SIGN_IN_PATH, 303);
      throw new ProblemError(401, "session_required", "Sign in to the portal as an admin, or with an API key, first.");
    }
    const scopes = consoleScopes(policy.admins, identity.groups);
    if (scopes.length === 0) {
      throw new ProblemError(403, "not_an_admin", "This portal account is in no admin group (`admins.groups`).");
    }
    const result = await stepUp(c as unknown as Context<AppEnv>, policy, consoleOperation(policy));
    if (result.action === "stop") return result.response;
    for (const cookie of result.setCookies) c.header("Set-Cookie", cookie, { append: true });
    c.set("admin", { actor: `user:${identity.userId}`, scopes });
    c.set("signIn", { kind: "portal", identity });
    await next();
  };
}

/**
 * Refuses an admin whose scopes lack `scope` with 403 `insufficient_scope` (a page that says
 * their role does not allow it). Runs after {@link consoleAccess}.
 * @example
 * consolePages.get("/keys", requireConsoleScope("keys:write"), handler);
 */
export function requireConsoleScope(scope: AdminScope): MiddlewareHandler<ConsoleEnv> {
  return async function requireConsoleScope(c, next) {
    if (!c.var.admin.scopes.includes(scope)) {
      throw new ProblemError(403, "insufficient_scope", `This admin lacks the ${scope} scope.`, { requiredScope: scope });
    }
    await next();
  };
}

/** The CSRF token for the console's forms: bound to the tenant, the admin and the session they signed in with. */
export function consoleCsrf(c: Context<ConsoleEnv>): Promise<string> {
  return csrfToken(c.env, csrfSubject(c));
}

/**
 * The submitted console form, once its CSRF token is proven to be this admin's session's; a 403
 * `csrf_failed` otherwise.
 * @example
 * const form = await checkedConsoleForm(c);
 */
export async function checkedConsoleForm(c: Context<ConsoleEnv>): Promise<Record<string, unknown>> {
  const form = await c.req.parseBody();
  if (!(await csrfTokenValid(c.env, form.csrf, csrfSubject(c)))) throw csrfFailed();
  return form;
}

export function csrfFailed(): ProblemError {
  return new ProblemError(403, "csrf_failed", "This form has expired or did not come from this site. Go back, reload the page and try again.");
}

/**
 * A SHA-256 of the deployment's bootstrap key, kept with a console session it opened: when the
 * secret is rotated, those sessions end. `null` when no bootstrap key is set.
 */
export async function bootstrapFingerprint(env: Env): Promise<string | null> {
  return env.STEPGATE_ADMIN_KEY ? sha256Hex(env.STEPGATE_ADMIN_KEY) : null;
}

function csrfSubject(c: Context<ConsoleEnv>): string[] {
  const { signIn, admin, tenant } = c.var;
  // A key session by its token (a secret the HMAC does not reveal), a portal admin by their portal session.
  return ["console", tenant.tenantId, admin.actor, signIn.kind === "key" ? signIn.token : signIn.identity.sessionId];
}

function consoleOperation(policy: Policy): MatchedOperation {
  return { name: ADMIN_CONSOLE, operation: { ...CONSOLE_OPERATION, maxAge: policy.admins.maxAgeSeconds } };
}
