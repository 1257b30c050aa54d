/**
 * @module
 * The console's security settings page: the 2FA status line (what it is, since when, changed by
 * whom), the whole policy's form (fieldsets with legends, every field's error beside it and all
 * of them in a summary at the top) carrying the ETag it was loaded with, read-only with the
 * reason for an admin who may view but not change it.
 */
import type { Child, FC } from "hono/jsx";
import type { Policy } from "../config/policy-schema";
import { CONSOLE_BASE } from "../flows/console-access";
import type { EnforcementChange } from "../flows/policy-versions";
import type { ConsoleFrame } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { allFields, type SettingsForm } from "./console-settings-fields";
import type { PlacedErrors } from "./console-settings-form";
import { type GroupContext, OperationFieldset, SettingFieldset, sectionTitle } from "./console-settings-groups";
import { fieldId } from "./console-settings-inputs";
import type { FormValues } from "./console-settings-kinds";
import { STANDARD_OPERATIONS } from "./console-settings-operations";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

export const SETTINGS_PATH = `${CONSOLE_BASE}/settings`;

/** The form's own rules: fieldsets as cards, choices side by side, lists in a fixed-width font. */
export const SETTINGS_CSS = `
fieldset{border:0;margin:0;padding:0;min-width:0}
fieldset.group{border:1px solid var(--border)}
fieldset.group>legend,fieldset.operation>legend{float:left;width:100%;font-weight:600;font-size:1.1rem;padding:0;margin:0 0 .25rem}
fieldset.group>legend+*,fieldset.operation>legend+*{clear:both}
fieldset.operation{border-top:1px solid var(--border);padding-top:1rem;margin-top:1rem}
fieldset.choices>legend{font-weight:600;padding:0;margin:.75rem 0 .25rem}
.options{display:flex;flex-wrap:wrap;align-items:center;gap:0 1.25rem}
.options label.check{margin-top:.25rem}
.stack .options{flex-direction:column;align-items:flex-start}
.columns .options{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr))}
.options .custom{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin-top:.25rem}
.options .custom label{margin:0;font-weight:400}
.operation .fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,22rem),1fr));gap:0 2rem;align-items:start}
.operation .fields>:first-child,.operation .fields>:last-child{grid-column:1/-1}
legend code.muted{font-weight:400}
input[type=number],input[type=url],select,textarea{font:inherit;padding:.5rem;color:var(--text);background:var(--field);border:1px solid var(--field-border);border-radius:6px}
input[type=number]{width:12rem}
input[type=url],textarea{width:100%}
select{max-width:100%}
textarea{font-family:ui-monospace,monospace;font-size:.95rem}
p.hint{margin:.1rem 0 .35rem}
.field .error,.choices .error{margin:.35rem 0}
details summary{cursor:pointer;margin-top:1rem}
.summary h2{font-size:1.1rem;margin:0 0 .5rem}
.summary ul{margin:0;padding-inline-start:1.25rem}
.summary a{color:inherit}
.status{font-size:1.1rem;font-weight:600;margin:0}
`;

export interface SettingsPageProps {
  frame: ConsoleFrame;
  form: SettingsForm;
  /** The policy the form was loaded from. */
  policy: Policy;
  /** Its ETag, sent back with the form: a save lands only on the version it was made from. */
  etag: string;
  values: FormValues;
  /** The refused save's errors, or `null`. */
  errors: PlacedErrors | null;
  /** Whether the admin may change the settings (`policy:write`). */
  writable: boolean;
  /** Who last turned 2FA on or off or changed its enforcement, if a kept version says. */
  changedBy: EnforcementChange | null;
  notice: "saved" | "unchanged" | null;
}

/**
 * @example
 * renderPage(c, <SettingsPage frame={frame} form={settingsForm(policy)} policy={policy} etag={etag} values={shownValues(…)} … />)
 */
export const SettingsPage: FC<SettingsPageProps> = (props) => {
  const { frame, form, writable } = props;
  const { text } = frame;
  const context: GroupContext = { text, policy: props.policy, values: props.values, errors: props.errors?.byField ?? new Map() };
  const body = (
    <>
      <SettingFieldset group={form.enforcement} context={context} />
      <section class="card" aria-labelledby="operations-heading">
        <h2 id="operations-heading">{text.t("console.settings.section.operations")}</h2>
        <p>{text.t("console.settings.operationsIntro")}</p>
        <p class="muted">{text.t("console.settings.operationsHelp")}</p>
        {form.operations.map((group) => (
          <OperationFieldset group={group} context={context} own={!Object.hasOwn(STANDARD_OPERATIONS, operationName(group.section))} />
        ))}
      </section>
      {form.factors.map((group) => (
        <SettingFieldset
          group={group}
          context={context}
          intro={group.section === "console.settings.section.totp" ? text.t("console.settings.totp.always") : undefined}
        />
      ))}
      {form.limits.map((group) => (
        <SettingFieldset group={group} context={context} />
      ))}
      <SettingFieldset group={form.alerts} context={context} intro={text.t("console.settings.alerts.intro")} />
      <SettingFieldset group={form.branding} context={context} />
    </>
  );
  return (
    <ConsoleLayout frame={frame} title={text.t("console.settings.title")} css={SETTINGS_CSS}>
      <section class="card" aria-labelledby="status-heading">
        <h2 id="status-heading">{text.t("console.settings.statusHeading")}</h2>
        <p class="status" id="status">
          <StatusLine text={text} policy={props.policy} changedBy={props.changedBy} />
        </p>
      </section>
      {props.notice ? (
        <p class="card" role="status" id="notice">
          {text.t(props.notice === "saved" ? "console.settings.saved" : "console.settings.unchanged")}
        </p>
      ) : null}
      {writable ? null : (
        <p class="card" id="read-only">
          {text.t("console.settings.readOnly")}
        </p>
      )}
      {props.errors ? <ErrorSummary text={text} form={form} errors={props.errors} /> : null}
      <form method="post" action={SETTINGS_PATH} novalidate>
        <input type="hidden" name="csrf" value={frame.csrf} />
        <input type="hidden" name="etag" value={props.etag} />
        {writable ? (
          body
        ) : (
          <fieldset disabled aria-describedby="read-only">
            {body}
          </fieldset>
        )}
        {writable ? <button type="submit">{text.t("console.settings.save")}</button> : null}
      </form>
    </ConsoleLayout>
  );
};

function operationName(section: SettingsForm["operations"][number]["section"]): string {
  return typeof section === "object" ? section.operation : "";
}

const STATES: Readonly<Record<Policy["enforcement"] | "off", PageKey>> = {
  off: "console.settings.state.off",
  optional: "console.settings.state.optional",
  required: "console.settings.state.required",
  per_user: "console.settings.state.perUser",
};

/** "Required since 2 Nov 2026, 14:00 by alice": the state, when it was set, by whom. */
const StatusLine: FC<{ text: PageText; policy: Policy; changedBy: EnforcementChange | null }> = ({ text, policy, changedBy }) => {
  const state = text.t(STATES[policy.enabled ? policy.enforcement : "off"]);
  const since = policy.enforcementChangedAt;
  if (!since) return <>{state}</>;
  const time = text.dateTime(since);
  if (!changedBy) return <>{text.t("console.settings.status.since", { state, time })}</>;
  return <>{text.parts("console.settings.status.sinceBy", { who: <Who text={text} actor={changedBy.actor} /> }, { state, time })}</>;
};

/** An audit actor in words: a portal user by their id, an API key by its id, the bootstrap key, or a write made outside stepgate. */
export const Who: FC<{ text: PageText; actor: string }> = ({ text, actor }) => {
  if (actor.startsWith("user:")) return <bdi>{actor.slice("user:".length)}</bdi>;
  if (actor.startsWith("key:")) return <>{text.parts("console.settings.who.key", { key: <code>{actor.slice("key:".length)}</code> })}</>;
  if (actor === "bootstrap") return <>{text.t("console.settings.who.bootstrap")}</>;
  return <>{text.t("console.settings.who.direct")}</>;
};

/** Every refusal at the top, each linking to its field; those no field shows, by their place in the policy. */
const ErrorSummary: FC<{ text: PageText; form: SettingsForm; errors: PlacedErrors }> = ({ text, form, errors }) => {
  const fields = allFields(form).filter((field) => errors.byField.has(field.name));
  const items: Child[] = [
    ...fields.map((field) => (
      <li>
        <a href={`#${fieldId(field.name)}`}>
          {sectionTitle(text, field.section)} · {text.t(field.label)}: {text.t(field.error.key, field.error.params)}
        </a>
      </li>
    )),
    ...errors.unplaced.map((error) => (
      <li>
        {text.t("console.settings.errors.elsewhere")} <code>{error.pointer}</code> <code>{error.detail}</code>
      </li>
    )),
  ];
  return (
    <div class="error summary" role="alert" id="error-summary" tabindex={-1}>
      <h2>{text.t("console.settings.errors.title")}</h2>
      <ul>{items}</ul>
    </div>
  );
};
