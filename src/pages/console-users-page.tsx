/**
 * @module
 * The console's user directory: the counts by enrolment status, a filter form (a GET, so it
 * works without script and its result can be linked to), and the users as a table whose
 * sortable headers are links that keep the filters, paged by cursor.
 */
import type { FC } from "hono/jsx";
import { formatPercent } from "../lib/message-format";
import type { DirectoryCounts, DirectoryEntry, DirectorySortColumn } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { factorsWord, lockWord, requirementWord, STATUS_WORDS, timeWord } from "./console-user-words";
import { type Listing, type ListingParam, listingHref, sortToggle, USERS_PATH, userHref } from "./console-users-paths";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { ErrorNote, Ltr } from "./layout";

const USERS_CSS = `
dl.counts{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem 1rem;margin:0}
dl.counts dt{font-weight:400}
dl.counts dd{margin:0;font-size:1.25rem;font-weight:600}
.fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:0 1rem}
select,input[type=search]{width:100%;font:inherit;padding:.5rem;color:var(--text);background:var(--field);border:1px solid var(--field-border);border-radius:6px}
p.field-error{color:var(--error-text);font-size:.9rem;margin:.25rem 0 0}
.filters .actions{align-items:center;margin-top:1rem}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:start;font-weight:600;padding:0 0 .5rem}
th,td{text-align:start;padding:.45rem .5rem;border-top:1px solid var(--border);vertical-align:top}
thead th{white-space:nowrap;border-top:0}
tbody th{font-weight:400}
nav.pages{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem}
`;

/** The table's columns, with the directory column each sorts by (where it can be sorted). */
const COLUMNS: ReadonlyArray<{ label: PageKey; sort?: DirectorySortColumn }> = [
  { label: "console.users.column.user", sort: "user_id" },
  { label: "console.users.column.email", sort: "email" },
  { label: "console.users.column.status" },
  { label: "console.users.column.factors" },
  { label: "console.users.column.required" },
  { label: "console.users.column.locked" },
  { label: "console.users.column.enrolled", sort: "enrolled_at" },
  { label: "console.users.column.lastSeen", sort: "last_seen_at" },
];

const SORT_NAMES: Readonly<Record<DirectorySortColumn, PageKey>> = {
  user_id: "console.users.column.user",
  email: "console.users.column.email",
  enrolled_at: "console.users.column.enrolled",
  last_seen_at: "console.users.column.lastSeen",
  first_seen_at: "console.users.firstSeen",
  updated_at: "console.users.updated",
};

export interface UsersPageProps {
  frame: ConsoleFrame;
  counts: DirectoryCounts;
  /** The listing's parameters as the URL gave them. */
  listing: Listing;
  sort: { column: DirectorySortColumn; descending: boolean };
  /** The page of users; `null` when the query was refused (see `invalid`). */
  result: { entries: DirectoryEntry[]; nextCursor: string | null } | null;
  /** The parameters the query was refused for. */
  invalid: ReadonlySet<ListingParam>;
}

/**
 * @example
 * renderPage(c, <UsersPage frame={frame} counts={counts} listing={{ status: "pending" }} sort={…} result={page} invalid={new Set()} />)
 */
export const UsersPage: FC<UsersPageProps> = ({ frame, counts, listing, sort, result, invalid }) => {
  const { text } = frame;
  // A broken sort, page size or cursor came with a link, not from the form: start again without them.
  const brokenLink = invalid.has("sort") || invalid.has("limit") || invalid.has("cursor");
  const filtered = listing.status !== undefined || listing.factor !== undefined || listing.required !== undefined || listing.q !== undefined;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.users.title")} css={USERS_CSS}>
      <Counts text={text} counts={counts} />
      <FilterForm text={text} listing={listing} invalid={invalid} />
      {invalid.size > 0 ? <ErrorNote message={text.t("console.users.error.summary")} /> : null}
      {brokenLink ? (
        <p id="broken-link">
          {text.t("console.users.error.link")}{" "}
          <a href={listingHref(listing, { sort: undefined, limit: undefined, cursor: undefined })}>{text.t("console.users.firstPage")}</a>
        </p>
      ) : null}
      {result === null ? null : result.entries.length === 0 ? (
        <p class="card" id="no-users">
          {text.t(filtered || listing.cursor ? "console.users.noMatch" : "console.users.noneYet")}
        </p>
      ) : (
        <UsersTable text={text} listing={listing} sort={sort} entries={result.entries} />
      )}
      {result ? (
        <nav class="pages" aria-label={text.t("console.users.pages")}>
          {listing.cursor ? (
            <a href={listingHref(listing, { cursor: undefined })} id="first-page">
              {text.t("console.users.firstPage")}
            </a>
          ) : null}
          {result.nextCursor ? (
            <a href={listingHref(listing, { cursor: result.nextCursor })} id="next-page" rel="next">
              {text.t("console.users.nextPage")}
            </a>
          ) : null}
        </nav>
      ) : null}
      <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
    </ConsoleLayout>
  );
};

/** The counts by status, each a number and a share of all users, and a link to that status's users. */
const Counts: FC<{ text: PageText; counts: DirectoryCounts }> = ({ text, counts }) => {
  const shown = [
    ["enrolled", counts.enrolled],
    ["pending", counts.pending],
    ["not_enrolled", counts.notEnrolled],
  ] as const;
  return (
    <section class="card" aria-labelledby="counts-heading">
      <h2 id="counts-heading">{text.t("console.users.counts")}</h2>
      <dl class="counts" id="counts">
        {shown.map(([status, count]) => (
          <div data-status={status}>
            <dt>
              <a href={listingHref({}, { status })}>{text.t(STATUS_WORDS[status])}</a>
            </dt>
            <dd>
              {counts.total === 0
                ? text.number(count)
                : text.t("console.users.countShare", { count: text.number(count), share: formatPercent(count / counts.total, text.language) })}
            </dd>
          </div>
        ))}
        <div data-status="all">
          <dt>{text.t("console.users.countAll")}</dt>
          <dd>{text.number(counts.total)}</dd>
        </div>
      </dl>
    </section>
  );
};

/** One filter's `<select>`: "any" (sent empty) and the values the directory knows, its error beside it. */
const Choice: FC<{
  text: PageText;
  name: ListingParam;
  label: PageKey;
  value: string | undefined;
  options: ReadonlyArray<[string, string]>;
  invalid: boolean;
}> = ({ text, name, label, value, options, invalid }) => (
  <div>
    <label for={`filter-${name}`}>{text.t(label)}</label>
    <select id={`filter-${name}`} name={name} aria-invalid={invalid ? "true" : undefined} aria-describedby={invalid ? `filter-${name}-error` : undefined}>
      <option value="">{text.t("console.users.filter.any")}</option>
      {options.map(([option, words]) => (
        <option value={option} selected={option === value}>
          {words}
        </option>
      ))}
    </select>
    {invalid ? (
      <p class="field-error" id={`filter-${name}-error`}>
        {text.t("console.users.error.choice")}
      </p>
    ) : null}
  </div>
);

const FilterForm: FC<{ text: PageText; listing: Listing; invalid: ReadonlySet<ListingParam> }> = ({ text, listing, invalid }) => (
  <form method="get" action={USERS_PATH} class="card filters" aria-labelledby="filters-heading">
    <h2 id="filters-heading">{text.t("console.users.filters")}</h2>
    <div class="fields">
      <Choice
        text={text}
        name="status"
        label="console.users.column.status"
        value={listing.status}
        invalid={invalid.has("status")}
        options={(["enrolled", "pending", "not_enrolled", "locked", "locked_until_unlock"] as const).map((status) => [status, text.t(STATUS_WORDS[status])])}
      />
      <Choice
        text={text}
        name="factor"
        label="console.users.filter.factor"
        value={listing.factor}
        invalid={invalid.has("factor")}
        options={(["totp", "webauthn", "sms", "email"] as const).map((kind) => [kind, factorsWord(text, [kind])])}
      />
      <Choice
        text={text}
        name="required"
        label="console.users.filter.required"
        value={listing.required}
        invalid={invalid.has("required")}
        options={[
          ["true", requirementWord(text, true)],
          ["false", requirementWord(text, false)],
        ]}
      />
      <div>
        <label for="filter-q">{text.t("console.users.filter.search")}</label>
        <input
          type="search"
          id="filter-q"
          name="q"
          value={listing.q ?? ""}
          aria-invalid={invalid.has("q") ? "true" : undefined}
          aria-describedby={invalid.has("q") ? "filter-q-error" : "filter-q-help"}
        />
        {invalid.has("q") ? (
          <p class="field-error" id="filter-q-error">
            {text.t("console.users.error.search")}
          </p>
        ) : (
          <p class="muted" id="filter-q-help">
            {text.t("console.users.filter.searchHelp")}
          </p>
        )}
      </div>
    </div>
    {/* The sort and page size the listing has stay; a new filter starts from the first page. */}
    {listing.sort && !invalid.has("sort") ? <input type="hidden" name="sort" value={listing.sort} /> : null}
    {listing.limit && !invalid.has("limit") ? <input type="hidden" name="limit" value={listing.limit} /> : null}
    <div class="actions">
      <button type="submit" class="compact">
        {text.t("console.users.filter.apply")}
      </button>
      <a href={USERS_PATH}>{text.t("console.users.filter.clear")}</a>
    </div>
  </form>
);

const UsersTable: FC<{ text: PageText; listing: Listing; sort: UsersPageProps["sort"]; entries: DirectoryEntry[] }> = ({ text, listing, sort, entries }) => (
  // Scrolls sideways on a narrow screen; focusable so a keyboard can scroll it too.
  <section class="table-wrap" aria-labelledby="users-caption" tabindex={0}>
    <table id="users">
      <caption id="users-caption">
        {text.t("console.users.caption", {
          column: text.t(SORT_NAMES[sort.column]),
          direction: text.t(sort.descending ? "console.users.descending" : "console.users.ascending"),
        })}
      </caption>
      <thead>
        <tr>
          {COLUMNS.map(({ label, sort: column }) => {
            const current = column === sort.column;
            return (
              <th scope="col" aria-sort={current ? (sort.descending ? "descending" : "ascending") : undefined}>
                {column ? (
                  <a href={listingHref(listing, { sort: sortToggle(column, sort), cursor: undefined })} data-sort={column}>
                    {text.t(label)}
                    {current ? <span aria-hidden="true">{sort.descending ? " ▼" : " ▲"}</span> : null}
                  </a>
                ) : (
                  text.t(label)
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr data-user={entry.userId}>
            <th scope="row">
              <a href={userHref(entry.userId)}>
                <Ltr text={text}>{entry.userId}</Ltr>
              </a>
            </th>
            <td>{entry.email ? <Ltr text={text}>{entry.email}</Ltr> : text.t("console.users.none")}</td>
            <td>{text.t(STATUS_WORDS[entry.status])}</td>
            <td>{factorsWord(text, entry.factors)}</td>
            <td>{requirementWord(text, entry.requiredByAdmin)}</td>
            <td>{lockWord(text, entry)}</td>
            <td>{timeWord(text, entry.enrolledAt)}</td>
            <td>{timeWord(text, entry.lastSeenAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);
