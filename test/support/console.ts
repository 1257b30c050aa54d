/**
 * The admin console for the tests: a tenant and an admin signed in to its console with a key
 * (the bootstrap key for every scope, or a tenant key with `scopes`), and that admin's page
 * loads and form posts, each form carrying the CSRF token its page gave.
 */
import { expect } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { aTenantKey } from "./admin";
import { ADMIN_KEY, aPolicy, aTenant, send } from "./builders";

export const CONSOLE = "/__stepgate/admin";
export const BROWSER = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };

/** The `name=value` of the response's Set-Cookie for `name`. */
export function cookiePair(response: Response, name: string): string | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return header ? header.split(";")[0]! : null;
}

/** The first `name="csrf"` value in an HTML page. */
export function csrfIn(html: string): string {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(csrf, "a CSRF token in the page").toBeDefined();
  return csrf!;
}

export interface ConsoleAdmin {
  base: string;
  tenantId: string;
  /** The console session's cookie pair. */
  cookie: string;
  /** GET a console path (under `/__stepgate/admin`) as this admin. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** GET a console path and return its HTML, expecting `status`. */
  html(path: string, status?: number): Promise<string>;
  /** A CSRF token valid for this admin's forms. */
  csrf(): Promise<string>;
  /** POST a form to a console path as this admin, with a valid CSRF token unless `fields.csrf` is given. */
  post(path: string, fields: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
}

/**
 * A tenant with `overrides` and an admin signed in to its console: with the bootstrap key (every
 * scope), or a tenant key holding `scopes`.
 * @example
 * const admin = await aConsoleAdmin({}, ["users:read"]);
 * const page = await admin.html("/users");
 */
export async function aConsoleAdmin(overrides: Partial<PolicyInput> = {}, scopes?: string[]): Promise<ConsoleAdmin> {
  const { base, tenantId } = await aTenant(aPolicy(overrides));
  const key = scopes ? (await aTenantKey(base, scopes)).key : ADMIN_KEY;
  return signedIn(base, tenantId, key);
}

/** An admin of the tenant at `base` signed in to its console with `key`. */
export async function signedIn(base: string, tenantId: string, key: string): Promise<ConsoleAdmin> {
  const form = await send(`${base}${CONSOLE}/sign-in`, { headers: BROWSER });
  expect(form.status).toBe(200);
  const formCookie = cookiePair(form, "__Host-stepgate-console-form")!;
  const signIn = await send(`${base}${CONSOLE}/sign-in`, {
    method: "POST",
    headers: { ...BROWSER, Cookie: formCookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: csrfIn(await form.text()), key }).toString(),
  });
  expect(signIn.status, "console sign-in").toBe(303);
  const cookie = cookiePair(signIn, "__Host-stepgate-console")!;
  const get = (path: string, headers: Record<string, string> = {}) => send(`${base}${CONSOLE}${path}`, { headers: { ...BROWSER, Cookie: cookie, ...headers } });
  const html = async (path: string, status = 200) => {
    const response = await get(path);
    const text = await response.text();
    expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(status);
    return text;
  };
  const csrf = async () => csrfIn(await html("/"));
  const post = async (path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    if (fields.csrf === undefined) body.append("csrf", await csrf());
    for (const [name, value] of Object.entries(fields)) for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
    return send(`${base}${CONSOLE}${path}`, {
      method: "POST",
      headers: { ...BROWSER, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: body.toString(),
    });
  };
  return { base, tenantId, cookie, get, html, csrf, post };
}
