/**
 * @module
 * The admin console under `/__stepgate/admin/`: the key sign-in form, signing out, and the
 * landing page; the console's sections mount here behind the same guards. Every POST is checked
 * against cross-site forgery twice, as on the hosted pages: Hono's `csrf()` refuses a foreign
 * `Origin`, and the form must carry a token bound to the admin's session (the sign-in form's to
 * a nonce cookie of its own, as there is no session yet). The admin API (`/admin/v1/`, bearer
 * keys, problems) is mounted before this under the same base and is not the console's.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import type { ConsoleEnv } from "../app-env";
import { ALL_SCOPES } from "../config/admins-schema";
import { ADMIN_CONSOLE, type Policy } from "../config/policy-schema";
import {
  ADMIN_API_BASE,
  bootstrapFingerprint,
  CONSOLE_BASE,
  CONSOLE_SIGN_IN_PATH,
  checkedConsoleForm,
  consoleAccess,
  csrfFailed,
} from "../flows/console-access";
import { takeKeySignInAttempt } from "../flows/console-sign-in-limit";
import { CONSOLE_FORM_COOKIE, CONSOLE_SESSION_COOKIE, consoleCookie } from "../gate/console-cookies";
import { grantCookieName } from "../gate/grant";
import { secretsEqual } from "../lib/crypto";
import { csrfToken, csrfTokenValid } from "../lib/csrf";
import { base64url } from "../lib/encoding";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { type ConsoleSessionOwner, tenantState } from "../state/tenant";
import { CONSOLE_SESSION_ABSOLUTE_MS } from "../state/tenant/console-sessions";
import { parseApiKey } from "../state/tenant/keys";
import { requestOrigin } from "../state/user/audit";
import { consoleActivity } from "./console-activity-routes";
import { consoleDeadLetters } from "./console-dead-letters-routes";
import { consoleFrame } from "./console-frame";
import { consoleHistory } from "./console-history-routes";
import { ConsoleHomePage } from "./console-home-page";
import { consoleKeys } from "./console-keys-routes";
import { consoleSettings } from "./console-settings-routes";
import { ConsoleSignInPage } from "./console-sign-in-page";
import { consoleUsers } from "./console-users-routes";
import { consoleWebhooks } from "./console-webhooks-routes";
import { choosePageLanguage, requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";
import { limitForm } from "./page-forms";

/** The sign-in form's nonce lives this long: a form left open longer is loaded again. */
const SIGN_IN_FORM_SECONDS = 3600;
const NONCE = /^[\w-]{22}$/;
const HOME = `${CONSOLE_BASE}/`;

export const consolePages = new Hono<ConsoleEnv>();

consolePages.use("*", consoleOnly(csrf()));
// The settings form carries a whole policy's lists: it sets a larger limit of its own.
consolePages.post("*", consoleOnly(limitForm, ["/settings"]));
// Every console route but the sign-in form acts for a signed-in admin (`c.var.admin`).
consolePages.use("*", consoleOnly(consoleAccess(), ["/sign-in"]));
// The language menu's choice is kept for the console's next page, as on the hosted pages.
consolePages.use("*", consoleOnly(consoleLanguage()));

consolePages.get("/", async (c) => renderPage(c, <ConsoleHomePage frame={await consoleFrame(c, HOME)} />));

consolePages.get("/sign-in", async (c) => {
  const policy = keySignInPolicy(c);
  const notice = c.req.query("signed-out") === undefined ? null : (await requestText(c, policy)).t("console.signedOut");
  return renderSignIn(c, policy, { error: null, notice }, 200);
});

consolePages.post("/sign-in", async (c) => {
  const policy = keySignInPolicy(c);
  const form = await c.req.parseBody();
  const nonce = getCookie(c, CONSOLE_FORM_COOKIE);
  if (!nonce || !(await csrfTokenValid(c.env, form.csrf, signInCsrfSubject(c, nonce)))) throw csrfFailed();
  const tenant = tenantState(c.env, c.var.tenant.tenantId);
  const origin = requestOrigin(c.req.raw);
  const presented = typeof form.key === "string" ? form.key.trim() : "";
  // Counted before the key is checked, per tenant and, for the bootstrap key, deployment-wide (see the flow).
  const attempt = await takeKeySignInAttempt(c.env, c.var.tenant.tenantId, c.req.raw, presented);
  if (!attempt.ok) {
    throw new ProblemError(
      429,
      "sign_in_rate_limited",
      `Too many wrong keys from this network; try again in ${attempt.retryAfterSeconds} s.`,
      { retryAfterSeconds: attempt.retryAfterSeconds },
      { "Retry-After": String(attempt.retryAfterSeconds) },
    );
  }
  const owner = await keyOwner(c, presented);
  if (!owner) {
    await reachState(() => tenant.recordFailedSignIn(parseApiKey(presented)?.id ?? null, origin));
    return renderSignIn(c, policy, { error: (await requestText(c, policy)).t("console.signIn.wrongKey"), notice: null }, 401);
  }
  await attempt.forget();
  const session = await reachState<{ token: string }>(() => tenant.openConsoleSession(owner, origin));
  c.header("Set-Cookie", consoleCookie(CONSOLE_SESSION_COOKIE, session.token, CONSOLE_SESSION_ABSOLUTE_MS / 1000), { append: true });
  deleteCookie(c, CONSOLE_FORM_COOKIE, { path: "/", secure: true });
  return c.redirect(HOME, 303);
});

consolePages.post("/sign-out", async (c) => {
  await checkedConsoleForm(c);
  const { signIn, policy } = c.var;
  if (signIn.kind === "key") {
    await reachState(() => tenantState(c.env, c.var.tenant.tenantId).closeConsoleSession(signIn.token, requestOrigin(c.req.raw)));
    deleteCookie(c, CONSOLE_SESSION_COOKIE, { path: "/", secure: true });
    return c.redirect(`${CONSOLE_SIGN_IN_PATH}?signed-out`, 303);
  }
  // A portal admin stays signed in to the portal; the console asks for their factor again.
  deleteCookie(c, grantCookieName(ADMIN_CONSOLE), { path: "/", secure: true });
  return c.redirect(policy.branding.portalUrl ?? "/", 303);
});

consolePages.route("/settings", consoleSettings);
consolePages.route("/users", consoleUsers);
consolePages.route("/activity", consoleActivity);
consolePages.route("/dead-letters", consoleDeadLetters);
consolePages.route("/history", consoleHistory);
consolePages.route("/keys", consoleKeys);
consolePages.route("/webhooks", consoleWebhooks);

/**
 * `middleware` on the console's own paths only: not on the admin API's (`/v1/…`, mounted first
 * under the same base: an unknown API path must stay its 404 problem), nor on `except`.
 */
function consoleOnly(middleware: MiddlewareHandler<ConsoleEnv>, except: string[] = []): MiddlewareHandler<ConsoleEnv> {
  const skipped = new Set(except.map((path) => `${CONSOLE_BASE}${path}`));
  return async function consoleOnly(c, next) {
    const path = c.req.path;
    if (path === ADMIN_API_BASE || path.startsWith(`${ADMIN_API_BASE}/`) || skipped.has(path)) return next();
    return middleware(c, next);
  };
}

/** Chooses the page's language (keeping a menu choice); before the sign-in, from the tenant's languages alone. */
function consoleLanguage(): MiddlewareHandler<ConsoleEnv> {
  return async function consoleLanguage(c, next) {
    const { tenant, signIn } = c.var;
    if (tenant.status === "ok") choosePageLanguage(c, tenant.policy.branding, signIn?.kind === "portal" ? signIn.identity.locale : undefined);
    await next();
  };
}

/** The tenant's valid policy, when it lets keys sign in; a 503 or 403 page otherwise. */
function keySignInPolicy(c: Context<ConsoleEnv>): Policy {
  const { tenant } = c.var;
  if (tenant.status !== "ok") throw new ProblemError(503, "policy_invalid", `Tenant ${tenant.tenantId} ${tenant.reason}.`, { tenant: tenant.tenantId });
  if (!tenant.policy.admins.keySignIn) {
    throw new ProblemError(
      403,
      "key_sign_in_off",
      "This tenant turned key sign-in to the console off (`admins.keySignIn`); sign in to the portal as an admin.",
    );
  }
  return tenant.policy;
}

/** Who `presented` signs in as: a live key of this tenant, or the deployment's bootstrap key; `null` for anything else. */
async function keyOwner(c: Context<ConsoleEnv>, presented: string): Promise<ConsoleSessionOwner | null> {
  const tenantKey = parseApiKey(presented);
  if (tenantKey) {
    const scopes = await reachState(() => tenantState(c.env, c.var.tenant.tenantId).checkKey(tenantKey.id, tenantKey.secret));
    return scopes ? { actor: `key:${tenantKey.id}`, keyId: tenantKey.id, fingerprint: null, scopes } : null;
  }
  const bootstrap = c.env.STEPGATE_ADMIN_KEY;
  // With no bootstrap key configured nobody signs in with one: an empty secret must never match an empty field.
  if (!presented || !bootstrap || !(await secretsEqual(presented, bootstrap))) return null;
  return { actor: "bootstrap", keyId: null, fingerprint: await bootstrapFingerprint(c.env), scopes: ALL_SCOPES };
}

/** The sign-in form, its CSRF token bound to the nonce cookie (made, or kept, here). */
async function renderSignIn(c: Context<ConsoleEnv>, policy: Policy, shown: { error: string | null; notice: string | null }, status: 200 | 401) {
  const present = getCookie(c, CONSOLE_FORM_COOKIE);
  const nonce = present && NONCE.test(present) ? present : base64url(crypto.getRandomValues(new Uint8Array(16)));
  c.header("Set-Cookie", consoleCookie(CONSOLE_FORM_COOKIE, nonce, SIGN_IN_FORM_SECONDS), { append: true });
  return renderPage(
    c,
    <ConsoleSignInPage
      branding={policy.branding}
      text={await requestText(c, policy)}
      action={CONSOLE_SIGN_IN_PATH}
      csrf={await csrfToken(c.env, signInCsrfSubject(c, nonce))}
      portalHref={policy.branding.portalUrl ?? "/"}
      error={shown.error}
      notice={shown.notice}
    />,
    status,
  );
}

function signInCsrfSubject(c: Context<ConsoleEnv>, nonce: string): string[] {
  return ["console-sign-in", c.var.tenant.tenantId, nonce];
}
