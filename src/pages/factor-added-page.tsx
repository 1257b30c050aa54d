/**
 * @module
 * Confirmation that another factor was added (backup codes are only issued with the first).
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

/**
 * @example
 * <FactorAddedPage branding={…} text={text} continueTo="/" />
 */
export const FactorAddedPage: FC<{ branding: Branding; text: PageText; continueTo: string }> = ({ branding, text, continueTo }) => (
  <Layout branding={branding} text={text} title={text.t("added.title")}>
    <div class="card">
      <p role="status">{text.t("added.body")}</p>
    </div>
    <p>
      <a href={continueTo}>{text.t("added.continue")}</a>
    </p>
  </Layout>
);
