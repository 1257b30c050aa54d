/**
 * @module
 * The end of a challenge the SPA client shows in its dialog or popup: the user is done, the
 * page's script tells the client (`[data-embed-finished]`, see the `embed` page script), which
 * closes it and sends the held request. Opened outside the client, it leads back to the portal.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

/**
 * @example
 * <EmbedFinishedPage branding={policy.branding} text={text} />
 */
export const EmbedFinishedPage: FC<{ branding: Branding; text: PageText }> = ({ branding, text }) => (
  <Layout branding={branding} text={text} title={text.t("embed.finished")}>
    <div class="card" data-embed-finished>
      <p role="status">{text.t("embed.finishedBody", { portal: branding.name })}</p>
    </div>
    <p>
      <a href={branding.portalUrl ?? "/"}>{text.t("enroll.backToPortal", { portal: branding.name })}</a>
    </p>
  </Layout>
);
