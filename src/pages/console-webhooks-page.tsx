/**
 * @module
 * The console's webhooks: the tenant's webhooks as a table (where each posts, what it asks for,
 * whether it is on, who made it, and how its last delivery fared; never a secret), each with the
 * way to its own page and to deleting it, and the form that adds one.
 */
import type { Child, FC } from "hono/jsx";
import { CONSOLE_BASE } from "../flows/console-access";
import type { WebhookAttemptView, WebhookView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { KeyCreator } from "./console-keys-page";
import { ConsoleLayout } from "./console-layout";
import { AttemptAnswer, AttemptResult, EventTypeList, WEBHOOKS_CSS, WebhookFields, WebhookState, WebhookUrl } from "./console-webhooks-fields";
import type { WebhookForm } from "./console-webhooks-form";
import type { PageText } from "./i18n/page-text";

export const WEBHOOKS_PATH = `${CONSOLE_BASE}/webhooks`;

/** A webhook's own page. */
export const webhookHref = (id: string) => `${WEBHOOKS_PATH}/${id}`;

export interface ConsoleWebhooksPageProps {
  frame: ConsoleFrame;
  webhooks: readonly WebhookView[];
  /** Each webhook's newest attempt, by id. */
  lastAttempts: Readonly<Record<string, WebhookAttemptView>>;
  form: WebhookForm;
  /** What was just done (a webhook deleted), shown at the top. */
  notice: Child | null;
}

/**
 * @example
 * renderPage(c, <ConsoleWebhooksPage frame={frame} webhooks={webhooks} lastAttempts={{}} form={EMPTY_WEBHOOK_FORM} notice={null} />)
 */
export const ConsoleWebhooksPage: FC<ConsoleWebhooksPageProps> = ({ frame, webhooks, lastAttempts, form, notice }) => {
  const { text, csrf } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.webhooks.title")} css={WEBHOOKS_CSS}>
      {notice ? (
        <p role="status" id="notice">
          {notice}
        </p>
      ) : null}
      <p>{text.t("console.webhooks.intro")}</p>
      {/* A card, not a region: the table's scrolling region is the one the heading names. */}
      <div class="card">
        <h2 id="webhooks-heading">{text.t("console.webhooks.listHeading")}</h2>
        {webhooks.length === 0 ? (
          <p class="muted">{text.t("console.webhooks.none")}</p>
        ) : (
          <WebhookTable text={text} webhooks={webhooks} lastAttempts={lastAttempts} />
        )}
      </div>
      <section class="card" aria-labelledby="create-heading">
        <h2 id="create-heading">{text.t("console.webhooks.createHeading")}</h2>
        <form method="post" action={WEBHOOKS_PATH} novalidate>
          <input type="hidden" name="csrf" value={csrf} />
          <WebhookFields text={text} form={form} />
          {form.errors.limit ? (
            <p class="error" role="alert" id="webhook-limit-error">
              {form.errors.limit}
            </p>
          ) : null}
          <button type="submit">{text.t("console.webhooks.create")}</button>
        </form>
      </section>
    </ConsoleLayout>
  );
};

const WebhookTable: FC<{ text: PageText; webhooks: readonly WebhookView[]; lastAttempts: ConsoleWebhooksPageProps["lastAttempts"] }> = ({
  text,
  webhooks,
  lastAttempts,
}) => (
  // Focusable: on a phone the table scrolls sideways inside it, and a keyboard must reach it.
  <section class="table-wrap" aria-labelledby="webhooks-heading" tabindex={0}>
    <table id="webhooks" aria-labelledby="webhooks-heading">
      <thead>
        <tr>
          <th scope="col">{text.t("console.webhooks.url")}</th>
          <th scope="col">{text.t("console.webhooks.events")}</th>
          <th scope="col">{text.t("console.webhooks.state")}</th>
          <th scope="col">{text.t("console.keys.created")}</th>
          <th scope="col">{text.t("console.webhooks.lastDelivery")}</th>
          <th scope="col">{text.t("console.keys.actions")}</th>
        </tr>
      </thead>
      <tbody>
        {webhooks.map((webhook) => {
          const last = lastAttempts[webhook.id];
          return (
            <tr data-webhook={webhook.id}>
              <td id={`webhook-${webhook.id}`}>
                <WebhookUrl text={text} url={webhook.url} />
                {webhook.description ? <div class="muted">{webhook.description}</div> : null}
              </td>
              <td>
                <EventTypeList text={text} patterns={webhook.eventTypes} />
              </td>
              <td>
                <WebhookState text={text} webhook={webhook} />
              </td>
              <td>
                {text.parts(
                  "console.keys.createdBy",
                  { actor: <KeyCreator text={text} actor={webhook.createdBy} /> },
                  { time: text.dateTime(webhook.createdAt) },
                )}
              </td>
              <td class="last-delivery">
                {last ? (
                  <>
                    <AttemptResult text={text} attempt={last} /> <AttemptAnswer text={text} attempt={last} />
                    <div class="muted">{text.dateTime(last.at)}</div>
                  </>
                ) : (
                  text.t("console.webhooks.noDeliveries")
                )}
              </td>
              <td>
                <ul class="actions-list">
                  <li>
                    <a href={webhookHref(webhook.id)} aria-describedby={`webhook-${webhook.id}`}>
                      {text.t("console.webhooks.manage")}
                    </a>
                  </li>
                  <li>
                    <a href={`${webhookHref(webhook.id)}/delete`} aria-describedby={`webhook-${webhook.id}`}>
                      {text.t("console.webhooks.delete")}
                    </a>
                  </li>
                </ul>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </section>
);
