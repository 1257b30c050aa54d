/**
 * @module
 * The console's landing page: who is signed in, what their scopes let them do, and for a key's
 * session when it ends.
 */
import type { FC } from "hono/jsx";
import { ALL_SCOPES, type AdminScope } from "../config/admins-schema";
import { CONSOLE_SESSION_IDLE_MS } from "../state/tenant/console-sessions";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import type { PageKey } from "./i18n/catalogue";

/** Each scope as what it lets the admin do. */
export const SCOPE_WORDS: Readonly<Record<AdminScope, PageKey>> = {
  "policy:read": "console.scope.policyRead",
  "policy:write": "console.scope.policyWrite",
  "users:read": "console.scope.usersRead",
  "users:write": "console.scope.usersWrite",
  "audit:read": "console.scope.auditRead",
  "keys:write": "console.scope.keysWrite",
  "webhooks:write": "console.scope.webhooksWrite",
};

/**
 * @example
 * renderPage(c, <ConsoleHomePage frame={await consoleFrame(c, `${CONSOLE_BASE}/`)} />)
 */
export const ConsoleHomePage: FC<{ frame: ConsoleFrame }> = ({ frame }) => {
  const { text, scopes, signIn } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.title")}>
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
};
