/**
 * @module
 * The console's Activity page: the tenant's audit trail as a table (newest first), a filter
 * form (event, user, time range), a link to older entries, and the whole filtered range as a
 * CSV or NDJSON download. A GET form: every view is a link, and it works without script.
 */
import type { FC } from "hono/jsx";
import { CONSOLE_BASE } from "../flows/console-access";
import type { TenantAuditEntry } from "../state/tenant/views";
import { type ActivityField, type ActivityForm, activityHref } from "./console-activity-filter";
import { AUDIT_TYPE_GROUPS, auditTypeWords } from "./console-audit-types";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { CONSOLE_TABLE_CSS } from "./console-table";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

export const ACTIVITY_PATH = `${CONSOLE_BASE}/activity`;
/** A detail longer than this is cut in the table (the export has it whole). */
const DETAIL_SHOWN_CHARS = 160;

const CSS = `${CONSOLE_TABLE_CSS}
form.filters .fields{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,13rem),1fr))}
form.filters select,form.filters input{width:100%;font:inherit;padding:.5rem;color:var(--text);background:var(--field);border:1px solid var(--field-border);border-radius:6px}
form.filters .error{margin:.25rem 0 0}
form.filters .actions{align-items:center;margin-top:1rem}
ul.downloads{margin:.5rem 0 0}
`;

export interface ActivityPageProps {
  frame: ConsoleFrame;
  form: ActivityForm;
  /** Each refused field's error; the table is not shown then. */
  errors: Partial<Record<ActivityField, PageKey>>;
  /** The page link asked for was not one: the newest entries are shown instead. */
  badPage: boolean;
  entries: TenantAuditEntry[];
  /** The cursor of the next (older) page, when there is one. */
  nextCursor: string | null;
  /** Whether this is a later page (so a link to the newest is offered). */
  paged: boolean;
}

/**
 * @example
 * renderPage(c, <ActivityPage frame={frame} form={form} errors={{}} badPage={false} entries={page.entries} nextCursor={page.nextCursor} paged={false} />)
 */
export const ActivityPage: FC<ActivityPageProps> = ({ frame, form, errors, badPage, entries, nextCursor, paged }) => {
  const { text } = frame;
  const valid = Object.keys(errors).length === 0;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.activity.title")} css={CSS}>
      <p>{text.t("console.activity.intro")}</p>
      <FilterForm text={text} form={form} errors={errors} />
      {valid ? (
        <>
          {/* The table's own region is named by this heading. */}
          <section class="card">
            <h2 id="entries-heading">{text.t("console.activity.entries")}</h2>
            {badPage ? (
              <p class="error" role="alert" id="bad-page">
                {text.t("console.activity.badPage")}
              </p>
            ) : null}
            <p class="muted">{text.t("console.activity.shownIn", { zone: text.zoneName() })}</p>
            {entries.length === 0 ? <p id="no-entries">{text.t("console.activity.none")}</p> : <EntryTable text={text} entries={entries} />}
            {nextCursor || paged ? (
              <nav class="paging" aria-label={text.t("console.activity.entries")}>
                {paged ? <a href={activityHref(ACTIVITY_PATH, form)}>{text.t("console.activity.newest")}</a> : null}
                {nextCursor ? (
                  <a href={activityHref(ACTIVITY_PATH, form, { cursor: nextCursor })} rel="next" id="older">
                    {text.t("console.activity.older")}
                  </a>
                ) : null}
              </nav>
            ) : null}
          </section>
          <section class="card" aria-labelledby="export-heading">
            <h2 id="export-heading">{text.t("console.activity.export")}</h2>
            <p>{text.t("console.activity.exportIntro")}</p>
            <ul class="downloads">
              <li>
                <a href={activityHref(`${ACTIVITY_PATH}/export.csv`, form)} id="export-csv" download>
                  {text.t("console.activity.exportCsv")}
                </a>
              </li>
              <li>
                <a href={activityHref(`${ACTIVITY_PATH}/export.ndjson`, form)} id="export-ndjson" download>
                  {text.t("console.activity.exportNdjson")}
                </a>
              </li>
            </ul>
          </section>
        </>
      ) : null}
    </ConsoleLayout>
  );
};

const FilterForm: FC<{ text: PageText; form: ActivityForm; errors: Partial<Record<ActivityField, PageKey>> }> = ({ text, form, errors }) => {
  const known = form.type === "" || AUDIT_TYPE_GROUPS.some((g) => g.prefix === form.type || g.types.includes(form.type));
  // The zones a time may be read in: the page's, UTC, and one a link named.
  const zones = [...new Set([text.timeZone, "UTC", form.zone])];
  /** A field's error attributes and note, when it has one. */
  const invalid = (field: ActivityField) => (errors[field] ? { "aria-invalid": "true", "aria-describedby": `${field}-error` } : {});
  const note = (field: ActivityField) =>
    errors[field] ? (
      <p class="error" id={`${field}-error`}>
        {text.t(errors[field])}
      </p>
    ) : null;
  return (
    <form method="get" action={ACTIVITY_PATH} class="card filters" aria-labelledby="filters-heading">
      <h2 id="filters-heading">{text.t("console.activity.filters")}</h2>
      <div class="fields">
        <div>
          <label for="type">{text.t("console.activity.type")}</label>
          <select id="type" name="type" {...invalid("type")}>
            <option value="">{text.t("console.activity.anyType")}</option>
            {AUDIT_TYPE_GROUPS.map((group) => (
              <optgroup label={text.t(group.label)}>
                {group.prefix ? (
                  <option value={group.prefix} selected={form.type === group.prefix}>
                    {text.t("console.activity.groupAll", { group: text.t(group.label) })}
                  </option>
                ) : null}
                {group.types.map((type) => (
                  <option value={type} selected={form.type === type}>
                    {auditTypeWords(text, type)}
                  </option>
                ))}
              </optgroup>
            ))}
            {known ? null : (
              <option value={form.type} selected>
                {form.type}
              </option>
            )}
          </select>
          {note("type")}
        </div>
        <div>
          <label for="user">{text.t("console.activity.user")}</label>
          <input type="text" id="user" name="user" value={form.user} dir="ltr" autocomplete="off" spellcheck={false} {...invalid("user")} />
          {note("user")}
        </div>
        <div>
          <label for="from">{text.t("console.activity.from")}</label>
          <input type="datetime-local" id="from" name="from" value={form.from} step="1" {...invalid("from")} />
          {note("from")}
        </div>
        <div>
          <label for="until">{text.t("console.activity.until")}</label>
          <input type="datetime-local" id="until" name="until" value={form.until} step="1" {...invalid("until")} />
          {note("until")}
        </div>
        <div>
          <label for="zone">{text.t("console.activity.zone")}</label>
          <select id="zone" name="zone">
            {zones.map((zone) => (
              <option value={zone} selected={zone === form.zone}>
                {zoneName(text, zone)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="actions">
        <button type="submit" class="compact">
          {text.t("console.activity.apply")}
        </button>
        <a href={ACTIVITY_PATH}>{text.t("console.activity.clear")}</a>
      </div>
    </form>
  );
};

const EntryTable: FC<{ text: PageText; entries: TenantAuditEntry[] }> = ({ text, entries }) => (
  // Focusable, so a keyboard can scroll a table wider than a phone.
  <section class="scroll" aria-labelledby="entries-heading" tabindex={0}>
    <table class="records" id="entries">
      <thead>
        <tr>
          <th scope="col">{text.t("console.activity.time")}</th>
          <th scope="col">{text.t("console.activity.type")}</th>
          <th scope="col">{text.t("console.activity.user")}</th>
          <th scope="col">{text.t("console.activity.actor")}</th>
          <th scope="col">{text.t("console.activity.ip")}</th>
          <th scope="col">{text.t("console.activity.details")}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr data-seq={entry.seq} data-type={entry.type}>
            <td>
              <time datetime={entry.at}>{text.dateTime(entry.at)}</time>
            </td>
            <td>{auditTypeWords(text, entry.type) ?? <code>{entry.type}</code>}</td>
            <td>
              {entry.user === null ? null : (
                <a href={`${CONSOLE_BASE}/users/${encodeURIComponent(entry.user)}`}>
                  <code>{entry.user}</code>
                </a>
              )}
            </td>
            <td>{entry.actor === null ? null : <code>{entry.actor}</code>}</td>
            <td>{entry.ip === null ? null : <code>{entry.ip}</code>}</td>
            <td>
              <code>{compactDetail(entry.detail)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);

/**
 * An entry's details on one line, `name=value` each.
 * @example
 * compactDetail({ factor: "totp", count: 2 }) // "factor=totp count=2"
 */
export function compactDetail(detail: Record<string, unknown>): string {
  const line = Object.entries(detail)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return line.length > DETAIL_SHOWN_CHARS ? `${line.slice(0, DETAIL_SHOWN_CHARS - 1)}…` : line;
}

/** A time zone by its name in the page's language, and its IANA name ("UTC" as it is). */
function zoneName(text: PageText, zone: string): string {
  if (zone === "UTC") return "UTC";
  const named = new Intl.DateTimeFormat(text.language, { timeZone: zone, timeZoneName: "long" }).formatToParts(new Date());
  return `${named.find((part) => part.type === "timeZoneName")?.value ?? zone} (${zone})`;
}
