/**
 * @module
 * What the webhooks' pages show of a webhook, in words an admin who is not a developer reads:
 * its inputs (the form that adds one and the form that changes one are the same fields), its
 * event types, whether it is on, and how a delivery fared. Codes (`verify.*`, `204`) stay beside
 * the words, for the developer who sets up the receiving end.
 */
import type { Child, FC } from "hono/jsx";
import { WEBHOOK_TIMEOUT_MS } from "../providers/webhook-post";
import type { WebhookAttemptView, WebhookView } from "../state/tenant/views";
import { PING_TYPE } from "../state/webhook-messages";
import { auditFilterWords } from "./console-audit-types";
import { EVENT_CHOICES, EVERY_EVENT, type WebhookForm } from "./console-webhooks-form";
import type { PageText } from "./i18n/page-text";
import { Ltr } from "./layout";

/** A pattern or type in words (`null` for one this version does not name: the code alone is shown). */
function patternWords(text: PageText, pattern: string): string | null {
  if (pattern === EVERY_EVENT) return text.t("console.webhooks.everyEvent");
  if (pattern === PING_TYPE) return text.t("console.webhooks.testEvent");
  return auditFilterWords(text, pattern);
}

/**
 * An event type or pattern: its words and its code.
 * @example
 * <EventType text={text} pattern="verify.*" /> // Verifications: all <code>verify.*</code>
 */
export const EventType: FC<{ text: PageText; pattern: string }> = ({ text, pattern }) => {
  const words = patternWords(text, pattern);
  return (
    <>
      {words ? `${words} ` : null}
      <code>{pattern}</code>
    </>
  );
};

/** A webhook's event types, one a line. */
export const EventTypeList: FC<{ text: PageText; patterns: readonly string[] }> = ({ text, patterns }) => (
  <ul class="events">
    {patterns.map((pattern) => (
      <li data-event-type={pattern}>
        <EventType text={text} pattern={pattern} />
      </li>
    ))}
  </ul>
);

/** A webhook's address, kept left to right on a page written right to left. */
export const WebhookUrl: FC<{ text: PageText; url: string }> = ({ text, url }) => (
  <code class="url">
    <Ltr text={text}>{url}</Ltr>
  </code>
);

/** On, off, or turned off by stepgate because the receiver said it is gone. */
export const WebhookState: FC<{ text: PageText; webhook: WebhookView }> = ({ text, webhook }) => {
  if (webhook.enabled) return <>{text.t("console.webhooks.on")}</>;
  return <>{text.t(webhook.disabledReason === "gone" ? "console.webhooks.offGone" : "console.webhooks.off")}</>;
};

/** What the receiver answered: its HTTP status, or why there was none. */
export const AttemptAnswer: FC<{ text: PageText; attempt: WebhookAttemptView }> = ({ text, attempt }) => {
  if (attempt.status !== null) return <code>{attempt.status}</code>;
  if (attempt.error === "timeout") return <>{text.t("console.webhooks.answerTimeout", { wait: text.wait(WEBHOOK_TIMEOUT_MS / 1000) })}</>;
  if (attempt.error?.startsWith("destination refused")) return <>{text.t("console.webhooks.answerRefused")}</>;
  return (
    <>
      {text.t("console.webhooks.answerNetwork")} <code>{attempt.error}</code>
    </>
  );
};

/** Delivered or failed. */
export const AttemptResult: FC<{ text: PageText; attempt: WebhookAttemptView }> = ({ text, attempt }) => (
  <strong class={attempt.delivered ? "delivered" : "failed"}>{text.t(attempt.delivered ? "console.webhooks.delivered" : "console.webhooks.failed")}</strong>
);

/**
 * The webhook's inputs, as filled in (`form`), each refusal beside its field. The form around them
 * carries the CSRF token and the button.
 * @example
 * <form method="post" action={WEBHOOKS_PATH} novalidate><WebhookFields text={text} form={form} /> …</form>
 */
export const WebhookFields: FC<{ text: PageText; form: WebhookForm }> = ({ text, form }) => {
  const { errors } = form;
  return (
    <>
      <label for="webhook-url">{text.t("console.webhooks.url")}</label>
      <p class="muted hint" id="webhook-url-hint">
        {text.t("console.webhooks.urlHint")}
      </p>
      <input
        type="url"
        id="webhook-url"
        name="url"
        value={form.url}
        maxlength={2048}
        required
        autocomplete="off"
        spellcheck={false}
        placeholder="https://"
        aria-invalid={errors.url ? "true" : undefined}
        aria-describedby={described("webhook-url", errors.url)}
      />
      <FieldError id="webhook-url-error" error={errors.url} />
      <label for="webhook-description">{text.t("console.webhooks.description")}</label>
      <p class="muted hint" id="webhook-description-hint">
        {text.t("console.webhooks.descriptionHint")}
      </p>
      <input
        type="text"
        id="webhook-description"
        name="description"
        value={form.description}
        maxlength={200}
        autocomplete="off"
        aria-invalid={errors.description ? "true" : undefined}
        aria-describedby={described("webhook-description", errors.description)}
      />
      <FieldError id="webhook-description-error" error={errors.description} />
      <EventChoices text={text} form={form} />
      <label for="webhook-more">{text.t("console.webhooks.more")}</label>
      <p class="muted hint" id="webhook-more-hint">
        {text.parts("console.webhooks.moreHint", { exact: <code>verify.failed</code>, prefix: <code>verify.*</code> })}
      </p>
      <input
        type="text"
        id="webhook-more"
        name="more"
        value={form.more}
        autocomplete="off"
        spellcheck={false}
        aria-invalid={errors.more ? "true" : undefined}
        aria-describedby={described("webhook-more", errors.more)}
      />
      <FieldError id="webhook-more-error" error={errors.more} />
      <label class="check">
        <input type="checkbox" name="enabled" value="on" checked={form.enabled} aria-describedby="webhook-enabled-hint" />
        <span>{text.t("console.webhooks.enabled")}</span>
      </label>
      <p class="muted hint-after" id="webhook-enabled-hint">
        {text.t("console.webhooks.enabledHint")}
      </p>
    </>
  );
};

/** The known event types as checkboxes, by group; "every event" first. */
const EventChoices: FC<{ text: PageText; form: WebhookForm }> = ({ text, form }) => {
  const box = (pattern: string) => (
    <label class="check">
      <input type="checkbox" name="eventTypes" value={pattern} checked={form.chosen.includes(pattern)} />
      <span>
        <EventType text={text} pattern={pattern} />
      </span>
    </label>
  );
  return (
    <fieldset class="event-choices" aria-describedby={form.errors.eventTypes ? "webhook-events-error" : undefined}>
      <legend>{text.t("console.webhooks.events")}</legend>
      {box(EVERY_EVENT)}
      <div class="groups">
        {EVENT_CHOICES.map((group) => (
          <fieldset>
            <legend>{text.t(group.label)}</legend>
            {group.all ? box(group.all) : null}
            {group.types.map(box)}
          </fieldset>
        ))}
      </div>
      <FieldError id="webhook-events-error" error={form.errors.eventTypes} />
    </fieldset>
  );
};

const FieldError: FC<{ id: string; error: Child | undefined }> = ({ id, error }) =>
  error ? (
    <p class="error" role="alert" id={id}>
      {error}
    </p>
  ) : null;

/** The hint, and the error when there is one. */
function described(id: string, error: Child | undefined): string {
  return error ? `${id}-hint ${id}-error` : `${id}-hint`;
}

/** The webhooks' pages' own rules: a table that scrolls sideways on a phone, the checkboxes in columns where they fit. */
export const WEBHOOKS_CSS = `
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:start;vertical-align:top;padding:.5rem;border-top:1px solid var(--border)}
thead th{border-top:0}
ul.events{margin:0;padding-inline-start:1.25rem}
ul.actions-list{list-style:none;margin:0;padding:0}
ul.actions-list li+li{margin-top:.35rem}
code{overflow-wrap:anywhere}
code.url{font-size:.95rem}
p.hint{margin:0 0 .35rem}
p.hint-after{margin:.25rem 0 0 1.75rem}
input[type=url]{width:100%;font:inherit;padding:.6rem;color:var(--text);background:var(--field);border:1px solid var(--field-border);border-radius:6px}
fieldset{border:0;margin:1rem 0 0;padding:0;min-width:0}
legend{font-weight:600;padding:0}
fieldset label.check{margin-top:.5rem}
.groups{display:grid;gap:0 1.5rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,18rem),1fr))}
.groups legend{font-weight:600;font-size:.95rem}
.error{margin:.5rem 0 0}
details>summary{cursor:pointer;font-weight:600;color:var(--accent)}
#webhooks{min-width:44rem}
#deliveries{min-width:32rem}
#deliveries code{white-space:nowrap}
`;
