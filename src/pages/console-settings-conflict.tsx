/**
 * @module
 * The security settings' conflict view: another admin saved while this one edited. Nothing was
 * written; the page shows what the other admin changed (the policy's history since the version
 * the form was loaded from, field by field, with who and when) beside the admin's own edits, and
 * a form that applies only those edits on top of the new version.
 */
import type { Child, FC } from "hono/jsx";
import type { PolicyVersion } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { pointerPath } from "./console-settings-form";
import { sectionTitle } from "./console-settings-groups";
import { freshnessWords } from "./console-settings-inputs";
import { type FormValues, KEEP, OMIT, type SettingField } from "./console-settings-kinds";
import { SETTINGS_CSS, SETTINGS_PATH, Who } from "./console-settings-page";
import type { PageText } from "./i18n/page-text";
import { Ltr } from "./layout";

const CONFLICT_CSS = `
.conflict{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));align-items:start}
.conflict ul{padding-inline-start:1.25rem}
.conflict code{word-break:break-word}
.version+.version{border-top:1px solid var(--border);margin-top:.75rem}
`;

export interface ConflictPageProps {
  frame: ConsoleFrame;
  /** Every field of the form, to name the other admin's changes where the form shows them. */
  fields: readonly SettingField[];
  /** The versions saved since the form was loaded, oldest first; `known: false` when the loaded one is no longer kept. */
  since: { versions: PolicyVersion[]; known: boolean };
  /** The current version's ETag: the admin's edits are applied on top of it. */
  etag: string;
  /** The fields the admin changed, and what they typed. */
  mine: readonly SettingField[];
  submitted: FormValues;
}

/**
 * @example
 * renderPage(c, <ConflictPage frame={frame} fields={fields} since={since} etag={current.etag} mine={changed} submitted={values} />, 409)
 */
export const ConflictPage: FC<ConflictPageProps> = (props) => {
  const { frame, since, mine, fields } = props;
  const { text } = frame;
  const theirs = since.versions.flatMap((version) => version.changes.map((change) => pointerPath(`#${change.path}`)));
  return (
    <ConsoleLayout frame={frame} title={text.t("console.settings.title")} css={`${SETTINGS_CSS}${CONFLICT_CSS}`}>
      <div class="error" role="alert" id="conflict">
        <p>{text.t("console.settings.conflict.intro")}</p>
      </div>
      <div class="conflict">
        <section class="card" aria-labelledby="theirs-heading" id="theirs">
          <h2 id="theirs-heading">{text.t("console.settings.conflict.theirs")}</h2>
          {since.versions.map((version) => (
            <div class="version">
              <p>{text.parts("console.settings.conflict.savedBy", { who: <Who text={text} actor={version.actor} /> }, { time: text.dateTime(version.at) })}</p>
              {version.changes.length === 0 ? (
                <p class="muted">{text.t("console.settings.conflict.noFields")}</p>
              ) : (
                <ul>
                  {version.changes.map((change) => (
                    <li>
                      <ChangedSetting text={text} fields={fields} path={change.path} />{" "}
                      {/* Before → after reads left to right, as the JSON values do, on a right-to-left page too. */}
                      <Ltr text={text}>
                        <Json value={change.from} /> → <Json value={change.to} />
                      </Ltr>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
          {since.known ? null : <p class="muted">{text.t("console.settings.conflict.older")}</p>}
        </section>
        <section class="card" aria-labelledby="mine-heading" id="mine">
          <h2 id="mine-heading">{text.t("console.settings.conflict.mine")}</h2>
          <form method="post" action={SETTINGS_PATH}>
            <input type="hidden" name="csrf" value={frame.csrf} />
            <input type="hidden" name="etag" value={props.etag} />
            <ul>
              {mine.map((field) => (
                <li>
                  <input type="hidden" name="changed[]" value={field.name} />
                  {sectionTitle(text, field.section)} · {text.t(field.label)}: <MyValue text={text} field={field} submitted={props.submitted} />
                  {theirs.some((path) => overlaps(path, field.path)) ? <strong> {text.t("console.settings.conflict.both")}</strong> : null}
                  <CarriedInputs field={field} submitted={props.submitted} text={text} />
                </li>
              ))}
            </ul>
            <button type="submit" id="apply-mine">
              {text.t("console.settings.conflict.apply")}
            </button>
          </form>
          <p>
            <a href={SETTINGS_PATH} id="discard-mine">
              {text.t("console.settings.conflict.discard")}
            </a>
          </p>
        </section>
      </div>
    </ConsoleLayout>
  );
};

/** Whether a change at `path` touches the field at `field` (one holds the other). */
function overlaps(path: readonly string[], field: readonly string[]): boolean {
  const shorter = Math.min(path.length, field.length);
  return path.slice(0, shorter).every((part, i) => field[i] === part);
}

/** A changed place in the policy: the form's words for it where the form shows it, else its JSON pointer. */
const ChangedSetting: FC<{ text: PageText; fields: readonly SettingField[]; path: string }> = ({ text, fields, path }) => {
  const parts = pointerPath(`#${path}`);
  const field = fields.find((f) => f.path.length === parts.length && f.path.every((part, i) => parts[i] === part));
  return field ? (
    <>
      {sectionTitle(text, field.section)} · {text.t(field.label)}:
    </>
  ) : (
    <>
      <code>{path || "/"}</code>:
    </>
  );
};

/** A value from the history as JSON (credentials are already masked there); `–` where there was none. */
const Json: FC<{ value: unknown }> = ({ value }) => (value === undefined ? <>–</> : <code>{JSON.stringify(value)}</code>);

/** What the admin set a field to, in words where the form has words for it. */
const MyValue: FC<{ text: PageText; field: SettingField; submitted: FormValues }> = ({ text, field, submitted }) => {
  const value = field.read(submitted);
  const { kind } = field;
  if (kind.type === "secret") return <>{text.t("console.settings.conflict.newSecret")}</>;
  if (value === OMIT || value === KEEP || value === "") return <>–</>;
  if (typeof value === "boolean") return <>{text.t(value ? "console.settings.on" : "console.settings.off")}</>;
  if (kind.type === "freshness" && typeof value === "number") return <>{freshnessWords(text, value)}</>;
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  const options = kind.type === "choice" || kind.type === "set" ? kind.options : [];
  const shown: Child[] = values.map((one) => {
    const option = options.find((o) => o.value === String(one));
    if (option && typeof option.label === "string") return text.t(option.label);
    return <code>{String(one)}</code>;
  });
  return <>{shown.flatMap((one, i) => (i === 0 ? [one] : [", ", one]))}</>;
};

/**
 * The field's inputs as the admin sent them, carried to the form that applies them on top: in
 * hidden inputs, but a secret is never written into the page, so it is asked for again.
 */
const CarriedInputs: FC<{ field: SettingField; submitted: FormValues; text: PageText }> = ({ field, submitted, text }) => {
  if (field.kind.type === "secret") {
    const id = `again-${field.name.replace(/[^\w-]/g, "-")}`;
    return (
      <>
        <label for={id}>{text.t("console.settings.conflict.secretAgain", { field: text.t(field.label) })}</label>
        <input type="password" id={id} name={field.name} value="" autocomplete="new-password" />
      </>
    );
  }
  const inputs = inputNames(field);
  return (
    <>
      {inputs.flatMap((name) => {
        const value = submitted[name];
        const all = value === undefined ? [] : Array.isArray(value) ? value : [value as string];
        return all.map((one) => <input type="hidden" name={name} value={one} />);
      })}
    </>
  );
};

/** The names of a field's inputs: its own, and for a freshness the custom seconds beside it. */
function inputNames(field: SettingField): string[] {
  return field.kind.type === "freshness" ? [field.name, `${field.name}-custom`] : [field.name];
}
