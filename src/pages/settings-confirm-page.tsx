/**
 * @module
 * "Are you sure?" before a settings change that weakens the account (removing a factor, new
 * backup codes). It is also where the `manage_factors` challenge brings the user back, so the
 * change they asked for is one click away instead of lost: the GET only shows the form, the
 * POST (with the session's CSRF token) does it.
 */
import type { Child, FC } from "hono/jsx";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

export interface SettingsConfirmPageProps {
  branding: Branding;
  text: PageText;
  title: PageKey;
  warning: PageKey;
  /** What is about to change (the factor being removed), shown above the warning. */
  subject?: Child;
  /** Where the form posts: the same path as this page. */
  action: string;
  submit: PageKey;
  csrf: string;
}

/**
 * @example
 * renderPage(c, <SettingsConfirmPage branding={…} text={text} title="settings.renewTitle" warning="settings.renewWarning" action="/__stepgate/settings/backup-codes" submit="settings.newBackupCodes" csrf={csrf} />)
 */
export const SettingsConfirmPage: FC<SettingsConfirmPageProps> = ({ branding, text, title, warning, subject, action, submit, csrf }) => (
  <Layout branding={branding} text={text} title={text.t(title)}>
    <div class="card">
      {subject ? <p id="subject">{subject}</p> : null}
      <p>{text.t(warning)}</p>
      <form method="post" action={action}>
        <input type="hidden" name="csrf" value={csrf} />
        <button type="submit">{text.t(submit)}</button>
      </form>
      <p>
        <a href="/__stepgate/settings">{text.t("settings.cancel")}</a>
      </p>
    </div>
  </Layout>
);
