/**
 * @module
 * The backup codes, shown once right after the first factor is confirmed.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

export interface BackupCodesPageProps {
  branding: Branding;
  text: PageText;
  codes: string[];
  /** Where to go on: the page the user was going to, or the portal's home. */
  continueTo: string;
}

/**
 * @example
 * renderPage(c, <BackupCodesPage branding={…} text={text} codes={codes} continueTo="/wallet" />)
 */
export const BackupCodesPage: FC<BackupCodesPageProps> = ({ branding, text, codes, continueTo }) => (
  <Layout branding={branding} text={text} title={text.t("backup.title")}>
    <div class="card">
      <p>
        {text.t("backup.intro")} <strong>{text.t("backup.once")}</strong>
      </p>
      <ol class="codes" id="backup-codes">
        {codes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
    </div>
    <p>
      <a href={continueTo}>{text.t("backup.saved")}</a>
    </p>
  </Layout>
);
