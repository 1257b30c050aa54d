/**
 * @module
 * The backup codes, shown once right after the first factor is confirmed, with ways to keep
 * them (download, copy, print) and a button on once they are saved.
 */
import type { FC } from "hono/jsx";
import { BACKUP_CODES_CSS, BackupCodeList } from "./backup-code-list";
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
  <Layout branding={branding} text={text} title={text.t("backup.title")} css={BACKUP_CODES_CSS}>
    <div class="card">
      <p class="no-print">
        {text.t("backup.intro")} <strong>{text.t("backup.once")}</strong>
      </p>
      <BackupCodeList text={text} portal={branding.name} codes={codes} />
    </div>
    {/* A link that looks like the page's main button: going on is a navigation (a GET), which also
        keeps the query of the page the user was going to and completes a held request. */}
    <a class="button no-print" href={continueTo}>
      {text.t("backup.saved")}
    </a>
  </Layout>
);
