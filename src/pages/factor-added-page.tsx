/**
 * @module
 * Confirmation that another factor was added (backup codes are only issued with the first), or
 * that a new authenticator app replaced the old one.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

/**
 * @example
 * <FactorAddedPage branding={…} text={text} continueTo="/" />
 */
export const FactorAddedPage: FC<{ branding: Branding; text: PageText; continueTo: string; replaced?: boolean }> = ({
  branding,
  text,
  continueTo,
  replaced,
}) => (
  <Layout branding={branding} text={text} title={text.t(replaced ? "replaced.title" : "added.title")}>
    <div class="card">
      <p role="status">{text.t(replaced ? "replaced.body" : "added.body")}</p>
    </div>
    <p>
      <a href={continueTo}>{text.t("added.continue")}</a>
    </p>
  </Layout>
);
