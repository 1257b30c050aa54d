/**
 * @module
 * What every console page is drawn with: the tenant's branding, the page's words, who is signed
 * in and how, their scopes, the form token, and the section shown. Read once per request from
 * the context `consoleAccess` filled, so a section's route only adds its own data.
 */
import type { Context } from "hono";
import type { ConsoleEnv, ConsoleSignIn } from "../app-env";
import type { AdminScope } from "../config/admins-schema";
import { consoleCsrf } from "../flows/console-access";
import type { PageText } from "./i18n/page-text";
import { requestText } from "./i18n/language-choice";
import type { Branding } from "./layout";

export interface ConsoleFrame {
  branding: Branding;
  text: PageText;
  actor: string;
  scopes: readonly AdminScope[];
  signIn: ConsoleSignIn;
  /** The CSRF token every console form carries. */
  csrf: string;
  /** The section's path, marked as the current page in the nav. */
  current: string;
}

/**
 * @example
 * const frame = await consoleFrame(c, `${CONSOLE_BASE}/users`);
 * return renderPage(c, <UsersPage frame={frame} … />);
 */
export async function consoleFrame(c: Context<ConsoleEnv>, current: string): Promise<ConsoleFrame> {
  const { policy, admin, signIn } = c.var;
  return {
    branding: policy.branding,
    text: await requestText(c, policy, signIn.kind === "portal" ? signIn.identity.locale : undefined),
    actor: admin.actor,
    scopes: admin.scopes,
    signIn,
    csrf: await consoleCsrf(c),
    current,
  };
}

/** Whether the signed-in admin holds `scope` (a page shows what they may not change read-only, with the reason). */
export function frameAllows(frame: ConsoleFrame, scope: AdminScope): boolean {
  return frame.scopes.includes(scope);
}
