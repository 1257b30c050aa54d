/**
 * @module
 * The frame of every admin console page: the hosted pages' layout, wider, with the console's
 * sections (a `nav` each page adds its link to as it is built), who is signed in, and signing out.
 */
import type { Child, FC } from "hono/jsx";
import type { ConsoleSignIn } from "../app-env";
import { CONSOLE_BASE } from "../flows/console-access";
import type { PageText } from "./i18n/page-text";
import { type Branding, Layout } from "./layout";

/** The console's own rules: room for tables on a desk, one column on a phone. */
const CONSOLE_CSS = `
main{max-width:60rem}
nav.console ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;margin:0;padding:0}
nav.console a[aria-current]{font-weight:600}
.who{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem}
.who p{margin:0}
.who form{margin:0}
`;

/** The console's sections, in the order the nav shows them. Pages add themselves here as they are built. */
const SECTIONS = [{ path: `${CONSOLE_BASE}/`, label: "console.overview" }] as const;

export interface ConsoleLayoutProps {
  branding: Branding;
  text: PageText;
  title: string;
  /** The section's path, marked as the current page in the nav. */
  current: string;
  actor: string;
  signIn: ConsoleSignIn;
  csrf: string;
  children?: Child;
}

/**
 * @example
 * <ConsoleLayout branding={policy.branding} text={text} title={text.t("console.title")} current="/__stepgate/admin/" … />
 */
export const ConsoleLayout: FC<ConsoleLayoutProps> = ({ branding, text, title, current, actor, signIn, csrf, children }) => (
  <Layout branding={branding} text={text} title={title} css={CONSOLE_CSS}>
    <nav class="console" aria-label={text.t("console.sections")}>
      <ul>
        {SECTIONS.map((section) => (
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

/** Who the console acts as: the portal user, the API key (by its id), or the bootstrap key. */
const SignedInAs: FC<{ text: PageText; actor: string; signIn: ConsoleSignIn }> = ({ text, actor, signIn }) => {
  if (signIn.kind === "portal") return <>{text.t("console.signedInAsUser", { user: signIn.identity.email ?? signIn.identity.userId })}</>;
  if (actor === "bootstrap") return <>{text.t("console.signedInAsBootstrap")}</>;
  return <>{text.parts("console.signedInAsKey", { key: <code>{actor.replace(/^key:/, "")}</code> })}</>;
};
