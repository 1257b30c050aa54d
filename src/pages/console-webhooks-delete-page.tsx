/**
 * @module
 * "Are you sure?" before a webhook is deleted: where it posts, what it receives, and what
 * deleting it does (at once, deliveries waiting for a retry too). The GET only shows the form;
 * the POST (with the console's CSRF token) deletes.
 */
import type { FC } from "hono/jsx";
import type { WebhookView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { EventTypeList, WEBHOOKS_CSS, WebhookUrl } from "./console-webhooks-fields";
import { webhookHref } from "./console-webhooks-page";

/**
 * @example
 * renderPage(c, <ConsoleWebhookDeletePage frame={frame} webhook={webhook} />)
 */
export const ConsoleWebhookDeletePage: FC<{ frame: ConsoleFrame; webhook: WebhookView }> = ({ frame, webhook }) => {
  const { text, csrf } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.webhooks.deleteTitle")} css={WEBHOOKS_CSS}>
      <div class="card">
        <p id="subject">{text.parts("console.webhooks.deleteSubject", { url: <WebhookUrl text={text} url={webhook.url} /> })}</p>
        <EventTypeList text={text} patterns={webhook.eventTypes} />
        <p>{text.t("console.webhooks.deleteWarning")}</p>
        <form method="post" action={`${webhookHref(webhook.id)}/delete`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit">{text.t("console.webhooks.deleteConfirm")}</button>
        </form>
        <p>
          <a href={webhookHref(webhook.id)}>{text.t("console.keys.cancel")}</a>
        </p>
      </div>
    </ConsoleLayout>
  );
};
