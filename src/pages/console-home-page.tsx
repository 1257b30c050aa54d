/**
 * @module
 * The console's landing page: who is signed in, what their scopes let them do, and for a key's
 * session when it ends.
 */
import type { FC } from "hono/jsx";
import type { ConsoleSignIn } from "../app-env";
import { ALL_SCOPES, type AdminScope } from "../config/admins-schema";
import { CONSOLE_SESSION_IDLE_MS } from "../state/tenant/console-sessions";
import { ConsoleLayout } from "./console-layout";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import type { Branding } from "./layout";

/** Each scope as what it lets the admin do. */
const SCOPE_WORDS: Readonly<Record<AdminScope, PageKey>> = {
  "policy:read": "console.scope.policyRead",
  "policy:write": "console.scope.policyWrite",
  "users:read": "console.scope.usersRead",
  "users:write": "console.scope.usersWrite",
  "audit:read": "console.scope.auditRead",
  "keys:write": "console.scope.keysWrite",
};

export interface ConsoleHomePageProps {
  branding: Branding;
  text: PageText;
  actor: string;
  scopes: readonly AdminScope[];
  signIn: ConsoleSignIn;
  csrf: string;
  current: string;
}

/**
 * @example
 * renderPage(c, <ConsoleHomePage branding={policy.branding} text={text} actor="user:ann" scopes={["users:read"]} … />)
 */
export const ConsoleHomePage: FC<ConsoleHomePageProps> = ({ branding, text, actor, scopes, signIn, csrf, current }) => (
  <ConsoleLayout branding={branding} text={text} title={text.t("console.title")} current={current} actor={actor} signIn={signIn} csrf={csrf}>
    <section class="card" aria-labelledby="scopes-heading">
      <h2 id="scopes-heading">{text.t("console.scopesHeading")}</h2>
      <ul id="scopes">
        {/* In one order for every admin, whatever order their key or groups list them in. */}
        {ALL_SCOPES.filter((scope) => scopes.includes(scope)).map((scope) => (
          <li data-scope={scope}>{text.t(SCOPE_WORDS[scope])}</li>
        ))}
      </ul>
    </section>
    {signIn.kind === "key" ? (
      <p class="muted" id="session-ends">
        {text.t("console.sessionEnds", { idle: text.wait(CONSOLE_SESSION_IDLE_MS / 1000), time: text.dateTime(new Date(signIn.expiresAt).toISOString()) })}
      </p>
    ) : null}
  </ConsoleLayout>
);
