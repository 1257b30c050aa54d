/**
 * @module
 * The frame of every admin console page: the hosted pages' layout, wider, with the console's
 * sections (a `nav` each page adds its link to as it is built), who is signed in, and signing out.
 */
import type { Child, FC } from "hono/jsx";
import type { ConsoleSignIn } from "../app-env";
import type { AdminScope } from "../config/admins-schema";
import { CONSOLE_BASE } from "../flows/console-access";
import type { ConsoleFrame } from "./console-frame";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Layout } from "./layout";

/** The console's own rules: room for tables on a desk, one column on a phone. */
const CONSOLE_CSS = `
main{max-width:76rem}
.card>h2:first-child{font-size:1.1rem;margin:0 0 .75rem}
nav.console ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
nav.console a[aria-current]{font-weight:600}
.who{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem}
.who p{margin:0}
.who form{margin:0}
`;

/** A console section in the nav: shown to admins holding `scope` (every admin when it has none). */
interface Section {
  path: string;
  label: PageKey;
  scope?: AdminScope;
}

/** The console's sections, in the order the nav shows them. Pages add themselves here as they are built. */
const SECTIONS: readonly Section[] = [
  { path: `${CONSOLE_BASE}/`, label: "console.overview" },
  { path: `${CONSOLE_BASE}/settings`, label: "console.settings.title", scope: "policy:read" },
  { path: `${CONSOLE_BASE}/users`, label: "console.users.title", scope: "users:read" },
  { path: `${CONSOLE_BASE}/activity`, label: "console.activity.title", scope: "audit:read" },
  { path: `${CONSOLE_BASE}/dead-letters`, label: "console.dead.title", scope: "audit:read" },
  { path: `${CONSOLE_BASE}/history`, label: "console.history.title", scope: "policy:read" },
  { path: `${CONSOLE_BASE}/keys`, label: "console.keys.title", scope: "keys:write" },
  { path: `${CONSOLE_BASE}/webhooks`, label: "console.webhooks.title", scope: "webhooks:write" },
];

export interface ConsoleLayoutProps {
  frame: ConsoleFrame;
  title: string;
  /** The page's own rules, after the console's (stepgate's CSS, never input). */
  css?: string;
  children?: Child;
}

/**
 * @example
 * <ConsoleLayout frame={frame} title={frame.text.t("console.title")}>…</ConsoleLayout>
 */
export const ConsoleLayout: FC<ConsoleLayoutProps> = ({ frame, title, css, children }) => {
  const { branding, text, current, actor, signIn, csrf, scopes } = frame;
  return (
    <Layout branding={branding} text={text} title={title} css={`${CONSOLE_CSS}${css ?? ""}`}>
      <nav class="console" aria-label={text.t("console.sections")}>
        <ul>
          {SECTIONS.filter((section) => section.scope === undefined || scopes.includes(section.scope)).map((section) => (
            <li>
              <a href={section.path} aria-current={section.path === current ? "page" : undefined}>
                {text.t(section.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="card who">
        <p id="signed-in-as">
          <SignedInAs text={text} actor={actor} signIn={signIn} />
        </p>
        <form method="post" action={`${CONSOLE_BASE}/sign-out`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="secondary compact">
            {text.t("console.signOut")}
          </button>
        </form>
      </div>
      {children}
    </Layout>
  );
};

/** Who the console acts as: the portal user, the API key (by its id), or the bootstrap key. */
const SignedInAs: FC<{ text: PageText; actor: string; signIn: ConsoleSignIn }> = ({ text, actor, signIn }) => {
  if (signIn.kind === "portal") return <>{text.t("console.signedInAsUser", { user: signIn.identity.email ?? signIn.identity.userId })}</>;
  if (actor === "bootstrap") return <>{text.t("console.signedInAsBootstrap")}</>;
  return <>{text.parts("console.signedInAsKey", { key: <code>{actor.replace(/^key:/, "")}</code> })}</>;
};
