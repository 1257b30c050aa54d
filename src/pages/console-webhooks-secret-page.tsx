/**
 * @module
 * A webhook's signing secret, shown this once: after the webhook is added, or after a new secret
 * replaced the old one (which keeps signing beside it until the time said, so the receiver can
 * be given the new one without missing a delivery). The page is the answer to the form, never a
 * page of its own to come back to: nothing keeps the secret to show it again. The field and the
 * copy button are the API key page's (`copyKey`).
 */
import type { FC } from "hono/jsx";
import type { WebhookView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { WEBHOOKS_CSS, WebhookUrl } from "./console-webhooks-fields";
import { webhookHref } from "./console-webhooks-page";
import { PageScript } from "./layout";

/** Where the receiver's developer reads how to check a signature. */
const STANDARD_WEBHOOKS_URL = "https://www.standardwebhooks.com/";

/**
 * @example
 * renderPage(c, <ConsoleWebhookSecretPage frame={frame} webhook={made} made="created" />, 200, { "Cache-Control": "no-store" })
 */
export const ConsoleWebhookSecretPage: FC<{ frame: ConsoleFrame; webhook: WebhookView & { secret: string }; made: "created" | "rotated" }> = ({
  frame,
  webhook,
  made,
}) => {
  const { text } = frame;
  const url = <WebhookUrl text={text} url={webhook.url} />;
  return (
    <ConsoleLayout frame={frame} title={text.t(made === "created" ? "console.webhooks.createdTitle" : "console.webhooks.rotatedTitle")} css={WEBHOOKS_CSS}>
      <section class="card">
        {made === "created" ? (
          <p>{text.parts("console.webhooks.createdIntro", { url })}</p>
        ) : (
          <>
            <p>{text.parts("console.webhooks.rotatedIntro", { url })}</p>
            {webhook.previousSecretValidUntil ? (
              <p id="overlap">{text.t("console.webhooks.rotatedOverlap", { time: text.dateTime(webhook.previousSecretValidUntil) })}</p>
            ) : null}
          </>
        )}
        <label for="new-key">{text.t("console.webhooks.secret")}</label>
        <input
          type="text"
          id="new-key"
          class="secret"
          value={webhook.secret}
          readonly
          autocomplete="off"
          spellcheck={false}
          aria-describedby="copy-now secret-use"
        />
        <p id="copy-now">
          <strong>{text.t("console.webhooks.copyNow")}</strong>
        </p>
        <p id="secret-use" class="muted">
          {text.parts("console.webhooks.secretUse", { spec: <a href={STANDARD_WEBHOOKS_URL}>Standard Webhooks</a> })}
        </p>
        <button type="button" class="secondary" id="copy-key" hidden>
          {text.t("console.webhooks.copy")}
        </button>
        <p class="muted" role="status">
          <span id="key-copied" hidden>
            {text.t("console.webhooks.copied")}
          </span>
        </p>
        {made === "created" ? <p>{text.t("console.webhooks.createdNext")}</p> : null}
        <a class="button" href={webhookHref(webhook.id)}>
          {text.t("console.webhooks.toWebhook")}
        </a>
        <PageScript name="copyKey" />
      </section>
    </ConsoleLayout>
  );
};
