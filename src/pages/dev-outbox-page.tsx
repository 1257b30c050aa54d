/**
 * @module
 * The development outbox as a page: each text and email the `outbox` provider kept, newest
 * first, with whom it was for, the code it carries set apart, and its words; a form narrows it
 * to one recipient.
 */
import type { FC } from "hono/jsx";
import type { KeptMessage } from "../state/tenant";
import type { PageText } from "./i18n/page-text";
import { Layout, Ltr, type Branding } from "./layout";

/** Where the page is served, and where its filter form goes. */
export const DEV_OUTBOX_PATH = "/__stepgate/dev/outbox";

const STYLE = `
form.filter input[type=text]{font-size:1rem;letter-spacing:normal}
ol.outbox{list-style:none;margin:0;padding:0}
ol.outbox h2{font-size:1.05rem;margin:0 0 .75rem;overflow-wrap:anywhere}
ol.outbox dl{display:grid;grid-template-columns:auto minmax(0,1fr);gap:.4rem .75rem;margin:0}
ol.outbox dt{font-weight:600}
ol.outbox dd{margin:0;overflow-wrap:anywhere}
ol.outbox .code{display:inline-block;font-size:1.5rem;font-weight:700;letter-spacing:.15em;padding:.15rem .5rem}
ol.outbox .words{white-space:pre-wrap;margin:0;font:inherit;overflow-wrap:anywhere}
`;

export interface DevOutboxPageProps {
  branding: Branding;
  text: PageText;
  messages: readonly KeptMessage[];
  /** The recipient the list is narrowed to, as typed; `""` for all. */
  to: string;
  /** The language chosen in the menu (`?lang=`), kept when the form is sent; this page sets no cookie. */
  lang: string | undefined;
}

/**
 * @example
 * renderPage(c, <DevOutboxPage branding={policy.branding} text={text} messages={await state.outbox()} to="" lang={undefined} />)
 */
export const DevOutboxPage: FC<DevOutboxPageProps> = ({ branding, text, messages, to, lang }) => (
  <Layout branding={branding} text={text} title={text.t("outbox.title")} css={STYLE}>
    <p>{text.t("outbox.intro")}</p>
    <form class="card filter" method="get" action={DEV_OUTBOX_PATH}>
      {lang ? <input type="hidden" name="lang" value={lang} /> : null}
      <label for="to">{text.t("outbox.recipient")}</label>
      <input type="text" id="to" name="to" value={to} autocomplete="off" spellcheck={false} />
      <button type="submit">{text.t("outbox.filter")}</button>
      {to ? (
        <p>
          <a href={lang ? `${DEV_OUTBOX_PATH}?lang=${encodeURIComponent(lang)}` : DEV_OUTBOX_PATH}>{text.t("outbox.showAll")}</a>
        </p>
      ) : null}
    </form>
    {messages.length === 0 ? (
      <p class="card" role="status">
        {to ? text.parts("outbox.noneTo", { recipient: <Ltr text={text}>{to}</Ltr> }) : text.t("outbox.empty")}
      </p>
    ) : (
      <ol class="outbox" id="messages">
        {messages.map((message) => (
          <OutboxEntry text={text} message={message} />
        ))}
      </ol>
    )}
    <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
  </Layout>
);

const OutboxEntry: FC<{ text: PageText; message: KeptMessage }> = ({ text, message }) => (
  <li class="card">
    <h2>
      {text.parts(
        "outbox.heading",
        { recipient: <Ltr text={text}>{message.to}</Ltr> },
        { channel: text.t(message.channel === "sms" ? "factor.sms" : "factor.email") },
      )}
    </h2>
    <dl>
      {message.code ? (
        <>
          <dt>{text.t("code.label")}</dt>
          <dd>
            <code class="code secret">{message.code}</code>
          </dd>
        </>
      ) : null}
      <dt>{text.t("outbox.sent")}</dt>
      <dd>
        <time datetime={message.at}>{text.dateTime(message.at)}</time>
      </dd>
      {message.subject !== null ? (
        <>
          <dt>{text.t("outbox.subject")}</dt>
          <dd dir="auto">{message.subject}</dd>
        </>
      ) : null}
      <dt>{text.t("outbox.text")}</dt>
      <dd>
        {/* In the language it was sent in, whatever the page's: its own direction. */}
        <p class="words" dir="auto">
          {message.text}
        </p>
      </dd>
    </dl>
  </li>
);
