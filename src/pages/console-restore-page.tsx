/**
 * @module
 * "Restore version N?": what restoring a version of the settings would change against the
 * current ones, and the form that restores it, carrying the current version's ETag (a change
 * made meanwhile refuses the restore, and this page is shown again with the new differences).
 */
import type { FC } from "hono/jsx";
import type { RestorePreview } from "../flows/policy-restore";
import type { FieldError } from "../lib/json-body";
import { HISTORY_PATH, VersionWhen } from "./console-history-page";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { CONSOLE_TABLE_CSS } from "./console-table";
import { PolicyChangeTable } from "./policy-change-table";

export interface RestorePageProps {
  frame: ConsoleFrame;
  preview: RestorePreview;
  /** The settings changed between this page and its form: the page shows the changes as they are now. */
  changedMeanwhile: boolean;
  /** What today's checks refused in the version, when a restore was refused. */
  refused: readonly FieldError[] | null;
}

/**
 * @example
 * renderPage(c, <RestorePage frame={frame} preview={await restorePreview(env, tenantId, 3)} changedMeanwhile={false} refused={null} />)
 */
export const RestorePage: FC<RestorePageProps> = ({ frame, preview, changedMeanwhile, refused }) => {
  const { text } = frame;
  const { version, changes } = preview;
  const number = text.number(version.version);
  return (
    <ConsoleLayout frame={frame} title={text.t("console.restore.title", { version: number })} css={CONSOLE_TABLE_CSS}>
      {changedMeanwhile ? (
        <p class="error" role="alert" id="changed-meanwhile">
          {text.t("console.restore.changedMeanwhile")}
        </p>
      ) : null}
      {refused ? (
        <div class="error" role="alert" id="refused">
          <p>{text.t("console.restore.refused")}</p>
          <ul>
            {refused.map((error) => (
              <li>
                {/* The checks' own words are English, as the API gives them. */}
                <code>{error.pointer.replace(/^#/, "")}</code> <span lang="en">{error.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {/* The table's own region is named by this heading. */}
      <section class="card">
        <h2 id="restore-heading">{text.t("console.history.version", { version: number })}</h2>
        <VersionWhen text={text} version={version} />
        {changes.length === 0 ? (
          <p id="same">{text.t("console.restore.same", { version: number })}</p>
        ) : (
          <>
            <p>{text.t("console.restore.intro", { version: number, time: text.dateTime(version.at) })}</p>
            <PolicyChangeTable text={text} changes={changes} labelledBy="restore-heading" />
            <p class="muted">{text.t("console.restore.recorded")}</p>
            <form method="post" action={`${HISTORY_PATH}/${version.version}/restore`}>
              <input type="hidden" name="csrf" value={frame.csrf} />
              <input type="hidden" name="etag" value={preview.currentEtag} />
              <button type="submit">{text.t("console.restore.confirm", { version: number })}</button>
            </form>
          </>
        )}
      </section>
      <p>
        <a href={HISTORY_PATH}>{text.t("console.restore.back")}</a>
      </p>
    </ConsoleLayout>
  );
};
