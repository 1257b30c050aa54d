/**
 * @module
 * One webhook's page in the console: what it is (address, description, event types, on or off),
 * a test event to send it, its last deliveries (what the receiver answered, when, at which
 * attempt), its settings as a form (address, description, event types, on or off), a new signing
 * secret (the old one signing beside it for a day), and the way to delete it. Each action is a
 * form carrying the console's CSRF token.
 */
import type { Child, FC } from "hono/jsx";
import { PREVIOUS_SECRET_MS } from "../state/tenant/webhooks";
import type { WebhookAttemptView, WebhookView } from "../state/tenant/views";
import { WEBHOOK_ATTEMPTS_KEPT } from "../state/tenant/webhook-attempts";
import { PINGS_PER_MINUTE } from "../state/tenant/webhook-pings";
import { PING_TYPE } from "../state/webhook-messages";
import type { ConsoleFrame } from "./console-frame";
import { KeyCreator } from "./console-keys-page";
import { ConsoleLayout } from "./console-layout";
import { AttemptAnswer, AttemptResult, EventType, EventTypeList, WEBHOOKS_CSS, WebhookFields, WebhookState, WebhookUrl } from "./console-webhooks-fields";
import type { WebhookForm } from "./console-webhooks-form";
import { WEBHOOKS_PATH, webhookHref } from "./console-webhooks-page";
import type { PageText } from "./i18n/page-text";

const HOUR_MS = 3_600_000;

export interface ConsoleWebhookPageProps {
  frame: ConsoleFrame;
  webhook: WebhookView;
  attempts: readonly WebhookAttemptView[];
  /** The settings form: the stored settings, or what a refused save sent with its errors. */
  form: WebhookForm;
  /** What was just done (saved, a test sent), shown at the top. */
  notice: Child | null;
  /** Why the test event just asked for was not sent (the tenant's budget a minute), beside its button. */
  testRefusal?: string | null;
}

/**
 * @example
 * renderPage(c, <ConsoleWebhookPage frame={frame} webhook={webhook} attempts={attempts} form={formOf(webhook)} notice={null} />)
 */
export const ConsoleWebhookPage: FC<ConsoleWebhookPageProps> = ({ frame, webhook, attempts, form, notice, testRefusal = null }) => {
  const { text, csrf } = frame;
  const href = webhookHref(webhook.id);
  return (
    <ConsoleLayout frame={frame} title={text.t("console.webhooks.webhookTitle")} css={WEBHOOKS_CSS}>
      {notice ? (
        <p role="status" id="notice">
          {notice}
        </p>
      ) : null}
      <div class="card" id="summary">
        <p>
          <WebhookUrl text={text} url={webhook.url} />
        </p>
        {webhook.description ? <p>{webhook.description}</p> : null}
        <EventTypeList text={text} patterns={webhook.eventTypes} />
        <p class="muted">
          <WebhookState text={text} webhook={webhook} />
          {" · "}
          {text.parts("console.keys.createdBy", { actor: <KeyCreator text={text} actor={webhook.createdBy} /> }, { time: text.dateTime(webhook.createdAt) })}
        </p>
      </div>
      <section class="card" aria-labelledby="test-heading">
        <h2 id="test-heading">{text.t("console.webhooks.testHeading")}</h2>
        <p>{text.parts("console.webhooks.testIntro", { type: <code>{PING_TYPE}</code> })}</p>
        <p class="muted">{text.t("console.webhooks.testOnce", { max: text.number(PINGS_PER_MINUTE) })}</p>
        {testRefusal ? (
          <p class="error" role="alert" id="test-error">
            {testRefusal}
          </p>
        ) : null}
        <form method="post" action={`${href}/test`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="secondary" aria-describedby={testRefusal ? "test-error" : undefined}>
            {text.t("console.webhooks.testSend")}
          </button>
        </form>
      </section>
      {/* A card, not a region: the table's scrolling region is the one the heading names. */}
      <div class="card">
        <h2 id="deliveries-heading">{text.t("console.webhooks.deliveriesHeading")}</h2>
        {attempts.length === 0 ? (
          <p class="muted">{text.t("console.webhooks.deliveriesNone")}</p>
        ) : (
          <>
            <p class="muted">{text.t("console.webhooks.deliveriesIntro", { max: text.number(WEBHOOK_ATTEMPTS_KEPT) })}</p>
            <Deliveries text={text} attempts={attempts} />
          </>
        )}
      </div>
      <section class="card" aria-labelledby="settings-heading">
        <h2 id="settings-heading">{text.t("console.webhooks.settingsHeading")}</h2>
        {/* Folded (the event types are a long list on a phone), open when a change was refused. */}
        <details open={Object.keys(form.errors).length > 0}>
          <summary>{text.t("console.webhooks.change")}</summary>
          <form method="post" action={href} novalidate>
            <input type="hidden" name="csrf" value={csrf} />
            <WebhookFields text={text} form={form} />
            <button type="submit">{text.t("console.webhooks.save")}</button>
          </form>
        </details>
      </section>
      <section class="card" aria-labelledby="secret-heading">
        <h2 id="secret-heading">{text.t("console.webhooks.secretHeading")}</h2>
        <p>{text.t("console.webhooks.rotateIntro", { hours: text.number(PREVIOUS_SECRET_MS / HOUR_MS) })}</p>
        {webhook.previousSecretValidUntil ? (
          <p id="previous-secret">{text.t("console.webhooks.rotatePending", { time: text.dateTime(webhook.previousSecretValidUntil) })}</p>
        ) : null}
        <form method="post" action={`${href}/rotate`}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="secondary" aria-describedby={webhook.previousSecretValidUntil ? "previous-secret" : undefined}>
            {text.t("console.webhooks.rotate")}
          </button>
        </form>
      </section>
      <section class="card" aria-labelledby="delete-heading">
        <h2 id="delete-heading">{text.t("console.webhooks.deleteHeading")}</h2>
        <p>{text.t("console.webhooks.deleteIntro")}</p>
        <a class="button secondary" href={`${href}/delete`}>
          {text.t("console.webhooks.delete")}
        </a>
      </section>
      <p>
        <a href={WEBHOOKS_PATH}>{text.t("console.webhooks.back")}</a>
      </p>
    </ConsoleLayout>
  );
};

/** The last attempts, newest first. */
const Deliveries: FC<{ text: PageText; attempts: readonly WebhookAttemptView[] }> = ({ text, attempts }) => (
  // Focusable: on a phone the table scrolls sideways inside it, and a keyboard must reach it.
  <section class="table-wrap" aria-labelledby="deliveries-heading" tabindex={0}>
    <table id="deliveries" aria-labelledby="deliveries-heading">
      <thead>
        <tr>
          <th scope="col">{text.t("console.webhooks.when")}</th>
          <th scope="col">{text.t("console.webhooks.event")}</th>
          <th scope="col">{text.t("console.webhooks.attempt")}</th>
          <th scope="col">{text.t("console.webhooks.result")}</th>
          <th scope="col">{text.t("console.webhooks.answer")}</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => (
          <tr data-event={attempt.eventId} data-attempt={attempt.attempt}>
            <td>{text.dateTime(attempt.at)}</td>
            <td>
              <EventType text={text} pattern={attempt.type} />
            </td>
            <td>{text.number(attempt.attempt)}</td>
            <td>
              <AttemptResult text={text} attempt={attempt} />
            </td>
            <td>
              <AttemptAnswer text={text} attempt={attempt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);
