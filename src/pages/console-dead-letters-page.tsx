/**
 * @module
 * The console's "Undelivered events" page: the tenant's dead letters (messages every delivery of
 * which failed: activity records, user list updates, webhook deliveries, security alerts),
 * newest first, paged, each in words with what went wrong where stepgate kept it, and a form
 * that sends one again for an admin holding the scope that replay needs.
 */
import type { FC } from "hono/jsx";
import { CONSOLE_BASE } from "../flows/console-access";
import { replayScope } from "../flows/dead-events";
import type { DeadEvent, WebhookAttemptView } from "../state/tenant/views";
import { auditTypeWords } from "./console-audit-types";
import type { ConsoleFrame } from "./console-frame";
import { SCOPE_WORDS } from "./console-home-page";
import { ConsoleLayout } from "./console-layout";
import { webhookHref } from "./console-webhooks-page";
import { CONSOLE_TABLE_CSS } from "./console-table";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

export const DEAD_LETTERS_PATH = `${CONSOLE_BASE}/dead-letters`;

const CSS = `${CONSOLE_TABLE_CSS}
table.records form{margin:0}
table.records td.what code{display:block}
`;

/** What was done, shown at the top: sent again, or it was no longer there to send. */
export type DeadLettersNotice = "replayed" | "gone";

export interface DeadLettersPageProps {
  frame: ConsoleFrame;
  events: readonly DeadEvent[];
  /** Each webhook delivery's last kept attempt, by dead letter id (empty for an admin who may not read them). */
  attempts: ReadonlyMap<string, WebhookAttemptView>;
  /** Whether the admin may read webhook attempts (`webhooks:write`, as the admin API asks). */
  attemptsShown: boolean;
  /** The webhooks whose console page a dead delivery links to: the tenant's, for an admin holding `webhooks:write` (else none). */
  linkedWebhooks: ReadonlySet<string>;
  /** The cursor of the next (older) page, when there is one. */
  nextCursor: string | null;
  /** Whether this is a later page (so a link to the newest is offered). */
  paged: boolean;
  /** The page link asked for was not one: the newest are shown instead. */
  badPage: boolean;
  notice: DeadLettersNotice | null;
}

const NOTICES: Readonly<Record<DeadLettersNotice, PageKey>> = { replayed: "console.dead.replayed", gone: "console.dead.gone" };

const KINDS: Readonly<Record<DeadEvent["message"]["kind"], PageKey>> = {
  event: "console.dead.kind.event",
  directory: "console.dead.kind.directory",
  webhook: "console.dead.kind.webhook",
  alert: "console.dead.kind.alert",
};

/**
 * @example
 * renderPage(c, <DeadLettersPage frame={frame} events={page.events} attempts={new Map()} attemptsShown={false} linkedWebhooks={new Set()} nextCursor={null} paged={false} badPage={false} notice={null} />)
 */
export const DeadLettersPage: FC<DeadLettersPageProps> = (props) => {
  const { frame, events, nextCursor, paged } = props;
  const { text } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.dead.title")} css={CSS}>
      {props.notice ? (
        <p class="card" role="status" id="notice">
          {text.t(NOTICES[props.notice])}
        </p>
      ) : null}
      <p>{text.t("console.dead.intro")}</p>
      <section class="card">
        <h2 id="dead-heading">{text.t("console.dead.listHeading")}</h2>
        {props.badPage ? (
          <p class="error" role="alert" id="bad-page">
            {text.t("console.dead.badPage")}
          </p>
        ) : null}
        {events.length === 0 ? (
          <p id="no-dead-letters">{text.t("console.dead.none")}</p>
        ) : (
          <>
            <p class="muted">{text.t("console.activity.shownIn", { zone: text.zoneName() })}</p>
            <DeadTable {...props} />
          </>
        )}
        {nextCursor || paged ? (
          <nav class="paging" aria-label={text.t("console.dead.listHeading")}>
            {paged ? <a href={DEAD_LETTERS_PATH}>{text.t("console.dead.newest")}</a> : null}
            {nextCursor ? (
              <a href={`${DEAD_LETTERS_PATH}?cursor=${encodeURIComponent(nextCursor)}`} rel="next" id="older">
                {text.t("console.dead.older")}
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </ConsoleLayout>
  );
};

const DeadTable: FC<DeadLettersPageProps> = ({ frame, events, attempts, attemptsShown, linkedWebhooks }) => {
  const { text } = frame;
  return (
    // Focusable, so a keyboard can scroll a table wider than a phone.
    <section class="scroll" aria-labelledby="dead-heading" tabindex={0}>
      <table class="records" id="dead-letters">
        <thead>
          <tr>
            <th scope="col">{text.t("console.dead.when")}</th>
            <th scope="col">{text.t("console.dead.what")}</th>
            <th scope="col">{text.t("console.dead.event")}</th>
            <th scope="col">{text.t("console.dead.user")}</th>
            <th scope="col">{text.t("console.dead.lastError")}</th>
            <th scope="col">{text.t("console.dead.attempts")}</th>
            <th scope="col">{text.t("console.dead.action")}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((dead, row) => {
            const attempt = attempts.get(dead.id);
            const user = userOf(dead);
            return (
              <tr data-id={dead.id} data-kind={dead.message.kind}>
                <td>
                  <time datetime={dead.deadAt}>{text.dateTime(dead.deadAt)}</time>
                </td>
                <td class="what" id={`dead-${row}`}>
                  {text.t(KINDS[dead.message.kind])}
                  {dead.message.kind === "webhook" ? <WebhookOf id={dead.message.webhookId} linked={linkedWebhooks.has(dead.message.webhookId)} /> : null}
                  <code class="muted">{dead.queue}</code>
                </td>
                <td>
                  <EventType text={text} dead={dead} />
                </td>
                <td>
                  {user === null ? null : frame.scopes.includes("users:read") ? (
                    <a href={`${CONSOLE_BASE}/users/${encodeURIComponent(user)}`}>
                      <code>{user}</code>
                    </a>
                  ) : (
                    <code>{user}</code>
                  )}
                </td>
                <td>
                  <LastError text={text} dead={dead} attempt={attempt} attemptsShown={attemptsShown} />
                </td>
                <td>{attempt ? attempt.attempt : <span class="muted">{text.t("console.dead.notKept")}</span>}</td>
                <td>
                  <Replay frame={frame} dead={dead} describedBy={`dead-${row}`} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
};

/** A dead delivery's webhook by id, a link to its console page when the admin may open it and it is still there. */
const WebhookOf: FC<{ id: string; linked: boolean }> = ({ id, linked }) =>
  linked ? (
    <a href={webhookHref(id)}>
      <code>{id}</code>
    </a>
  ) : (
    <code>{id}</code>
  );

/** The audit event's type in words (as the activity names it), or as recorded; a user list update has none. */
const EventType: FC<{ text: PageText; dead: DeadEvent }> = ({ text, dead }) => {
  const type = typeOf(dead);
  if (type === null) return <>{text.t("console.dead.directoryChange")}</>;
  return <>{auditTypeWords(text, type) ?? <code>{type}</code>}</>;
};

/** What the endpoint last answered, for a webhook delivery whose attempt is kept; the others keep none. */
const LastError: FC<{ text: PageText; dead: DeadEvent; attempt: WebhookAttemptView | undefined; attemptsShown: boolean }> = ({
  text,
  dead,
  attempt,
  attemptsShown,
}) => {
  if (dead.message.kind === "webhook" && !attemptsShown) return <span class="muted">{text.t("console.dead.notShown")}</span>;
  if (!attempt) return <span class="muted">{text.t("console.dead.notKept")}</span>;
  if (attempt.status !== null) return <>{text.parts("console.dead.answered", { status: <code>{String(attempt.status)}</code> })}</>;
  return <>{text.parts("console.dead.noAnswer", { error: <code>{attempt.error ?? ""}</code> })}</>;
};

/** The Replay form, for an admin holding the scope its replay needs (the admin API's rule); else who may. */
const Replay: FC<{ frame: ConsoleFrame; dead: DeadEvent; describedBy: string }> = ({ frame, dead, describedBy }) => {
  const { text } = frame;
  const scope = replayScope(dead.id);
  if (!frame.scopes.includes(scope)) return <span class="muted">{text.t("console.dead.replayNeeds", { scope: text.t(SCOPE_WORDS[scope]) })}</span>;
  return (
    <form method="post" action={`${DEAD_LETTERS_PATH}/${encodeURIComponent(dead.id)}/replay`}>
      <input type="hidden" name="csrf" value={frame.csrf} />
      <button type="submit" class="secondary compact" aria-describedby={describedBy}>
        {text.t("console.dead.replay")}
      </button>
    </form>
  );
};

/** The user the message concerns, if any. */
function userOf(dead: DeadEvent): string | null {
  const { message } = dead;
  if (message.kind === "event") return message.userId;
  if (message.kind === "alert") return message.event.userId;
  if (message.kind === "directory") return message.userId;
  const user = message.payload.data.userId;
  return typeof user === "string" ? user : null;
}

/** The audit event's type, or `null` for a user list update. */
function typeOf(dead: DeadEvent): string | null {
  const { message } = dead;
  if (message.kind === "event") return message.type;
  if (message.kind === "alert") return message.event.type;
  if (message.kind === "webhook") return message.payload.type;
  return null;
}
