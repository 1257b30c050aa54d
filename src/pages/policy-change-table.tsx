/**
 * @module
 * A list of policy changes as a table: the setting (its JSON pointer, as the API and the
 * settings' errors name it), its value before and after. Credentials were never kept in the
 * changes (`policyChanges` hides them); this says so in the page's language.
 */
import type { FC } from "hono/jsx";
import { isHiddenCredential } from "../config/policy-diff";
import type { PolicyChange } from "../state/tenant/views";
import type { PageText } from "./i18n/page-text";

/** A value longer than this is folded, its start shown. */
const VALUE_SHOWN_CHARS = 80;

/**
 * @example
 * <PolicyChangeTable text={text} changes={version.changes} label="version-3" />
 */
export const PolicyChangeTable: FC<{ text: PageText; changes: readonly PolicyChange[]; labelledBy: string }> = ({ text, changes, labelledBy }) => (
  <section class="scroll" aria-labelledby={labelledBy} tabindex={0}>
    <table class="records changes">
      <thead>
        <tr>
          <th scope="col">{text.t("console.history.setting")}</th>
          <th scope="col">{text.t("console.history.before")}</th>
          <th scope="col">{text.t("console.history.after")}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((change) => (
          <tr data-path={change.path}>
            <th scope="row">{change.path === "" ? text.t("console.history.wholePolicy") : <code>{change.path}</code>}</th>
            <td>
              <Value text={text} path={change.path} value={change.from} />
            </td>
            <td>
              <Value text={text} path={change.path} value={change.to} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);

const Value: FC<{ text: PageText; path: string; value: unknown }> = ({ text, path, value }) => {
  if (value === undefined) return <span class="muted">{text.t("console.history.notSet")}</span>;
  if (isHiddenCredential(path, value)) return <span class="muted">{text.t("console.history.secret")}</span>;
  const json = JSON.stringify(value);
  if (json.length <= VALUE_SHOWN_CHARS) return <code>{json}</code>;
  return (
    <details>
      <summary>
        <code>{json.slice(0, VALUE_SHOWN_CHARS - 1)}…</code>
      </summary>
      <pre>
        <code>{JSON.stringify(value, null, 2)}</code>
      </pre>
    </details>
  );
};
