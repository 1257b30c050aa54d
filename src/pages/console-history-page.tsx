/**
 * @module
 * The console's settings history: each version of the policy, newest first, with who wrote it,
 * when, and what it changed, setting by setting (secrets never shown); for an admin who may
 * change the settings, a way to restore a version (a confirmation page first).
 */
import type { Child, FC } from "hono/jsx";
import { CONSOLE_BASE } from "../flows/console-access";
import type { PolicyVersion } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { CONSOLE_TABLE_CSS } from "./console-table";
import type { PageText } from "./i18n/page-text";
import { PolicyChangeTable } from "./policy-change-table";

export const HISTORY_PATH = `${CONSOLE_BASE}/history`;

const CSS = `${CONSOLE_TABLE_CSS}
article.version h2{margin:0}
article.version .head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:.5rem}
article.version form{margin:.75rem 0 0}
.badge{font-size:.85rem;font-weight:600;padding:.1rem .5rem;border:1px solid var(--border);border-radius:999px}
`;

export interface HistoryPageProps {
  frame: ConsoleFrame;
  versions: PolicyVersion[];
  /** The current policy's ETag: its version is marked, and has nothing to restore. */
  currentEtag: string | null;
  /** Whether the admin may restore (scope `policy:write`). */
  mayRestore: boolean;
  /** The version just restored, for the notice. */
  restored: number | null;
  nextCursor: string | null;
  paged: boolean;
}

/**
 * @example
 * renderPage(c, <HistoryPage frame={frame} versions={versions} currentEtag={etag} mayRestore restored={null} nextCursor={null} paged={false} />)
 */
export const HistoryPage: FC<HistoryPageProps> = ({ frame, versions, currentEtag, mayRestore, restored, nextCursor, paged }) => {
  const { text } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.history.title")} css={CSS}>
      {restored !== null ? (
        <p class="card" role="status" id="restored">
          {text.t("console.history.restored", { version: text.number(restored) })}
        </p>
      ) : null}
      <p>{text.t("console.history.intro")}</p>
      {mayRestore ? null : (
        <p class="muted" id="read-only">
          {text.t("console.history.readOnly")}
        </p>
      )}
      {versions.length === 0 ? <p>{text.t("console.history.none")}</p> : null}
      {versions.map((version) => (
        <VersionCard text={text} version={version} current={version.etag === currentEtag} mayRestore={mayRestore} />
      ))}
      {nextCursor || paged ? (
        <nav class="paging" aria-label={text.t("console.history.title")}>
          {paged ? <a href={HISTORY_PATH}>{text.t("console.history.newest")}</a> : null}
          {nextCursor ? (
            <a href={`${HISTORY_PATH}?cursor=${nextCursor}`} rel="next" id="older">
              {text.t("console.history.older")}
            </a>
          ) : null}
        </nav>
      ) : null}
    </ConsoleLayout>
  );
};

const VersionCard: FC<{ text: PageText; version: PolicyVersion; current: boolean; mayRestore: boolean }> = ({ text, version, current, mayRestore }) => {
  const heading = `version-${version.version}-heading`;
  return (
    <article class="card version" id={`version-${version.version}`} aria-labelledby={heading}>
      <div class="head">
        <h2 id={heading}>{text.t("console.history.version", { version: text.number(version.version) })}</h2>
        {current ? <span class="badge">{text.t("console.history.current")}</span> : null}
      </div>
      <VersionWhen text={text} version={version} />
      {version.changes.length === 0 ? (
        <p>{text.t("console.history.noChanges")}</p>
      ) : (
        <PolicyChangeTable text={text} changes={version.changes} labelledBy={heading} />
      )}
      {mayRestore && !current ? (
        // A GET to the confirmation page, which holds the form that restores.
        <form method="get" action={`${HISTORY_PATH}/${version.version}/restore`}>
          <button type="submit" class="secondary compact" aria-describedby={heading}>
            {text.t("console.history.restore")}
          </button>
        </form>
      ) : null}
    </article>
  );
};

/** "2 Nov 2026, 14:00, by user:ann": when a version was written, and by whom. */
export const VersionWhen: FC<{ text: PageText; version: PolicyVersion }> = ({ text, version }) => (
  <p class="muted">
    {text.parts("console.history.when", { time: <time datetime={version.at}>{text.dateTime(version.at)}</time>, actor: actorOf(text, version.actor) })}
  </p>
);

/** Who wrote a version: an admin's actor as recorded (`user:ann`, `key:…`, `bootstrap`), or a write found in KV. */
function actorOf(text: PageText, actor: string): Child {
  return actor === "kv" ? text.t("console.history.outside") : <code>{actor}</code>;
}
