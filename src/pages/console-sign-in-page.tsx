/**
 * @module
 * The console's key sign-in form: an API key (or the bootstrap key) in a password field, the
 * form's CSRF token, and the way in for portal admins.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { type Branding, ErrorNote, Layout } from "./layout";

export interface ConsoleSignInPageProps {
  branding: Branding;
  text: PageText;
  action: string;
  csrf: string;
  /** The portal's home page, where portal admins sign in. */
  portalHref: string;
  error: string | null;
  notice: string | null;
}

/**
 * @example
 * renderPage(c, <ConsoleSignInPage branding={policy.branding} text={text} action="/__stepgate/admin/sign-in" csrf={csrf} portalHref="/" error={null} notice={null} />)
 */
export const ConsoleSignInPage: FC<ConsoleSignInPageProps> = ({ branding, text, action, csrf, portalHref, error, notice }) => (
  <Layout branding={branding} text={text} title={text.t("console.signIn.title")}>
    {notice ? (
      <p role="status" id="notice">
        {notice}
      </p>
    ) : null}
    <div class="card">
      <p>{text.t("console.signIn.intro")}</p>
      <ErrorNote message={error} />
      <form method="post" action={action}>
        <input type="hidden" name="csrf" value={csrf} />
        <label for="key">{text.t("console.signIn.key")}</label>
        {/* A password field: the key is not shown on screen, nor kept by the browser's form history. */}
        <input type="password" id="key" name="key" required autocomplete="off" spellcheck={false} aria-invalid={error ? "true" : undefined} />
        <button type="submit">{text.t("console.signIn.submit")}</button>
      </form>
    </div>
    <p>
      {text.t("console.signIn.portalAdmins")} <a href={portalHref}>{text.t("error.signInTo", { portal: branding.name })}</a>
    </p>
  </Layout>
);
