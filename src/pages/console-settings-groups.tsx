/**
 * @module
 * The security settings form's fieldsets: one per part of the policy (its legend from the
 * catalogue), and one per operation, its routes under a closed "Advanced" unless they hold an
 * error.
 */
import type { FC } from "hono/jsx";
import type { Credential, Policy } from "../config/policy-schema";
import { valueAt } from "../config/policy-fields";
import type { FieldError } from "../lib/json-body";
import type { SettingGroup } from "./console-settings-fields";
import { type FormValues, type SettingField, single } from "./console-settings-kinds";
import { SettingInput } from "./console-settings-inputs";
import type { PageText } from "./i18n/page-text";

/** What every fieldset is drawn with. */
export interface GroupContext {
  text: PageText;
  /** The policy the form was loaded from: for the secrets it keeps (whether, never what). */
  policy: Policy;
  values: FormValues;
  errors: ReadonlyMap<string, FieldError[]>;
}

/** A field of the form with what it needs from the context. */
const Field: FC<{ field: SettingField; context: GroupContext }> = ({ field, context }) => (
  <SettingInput
    field={field}
    text={context.text}
    values={context.values}
    errors={context.errors.get(field.name)}
    stored={field.kind.type === "secret" ? (valueAt(context.policy, field.path) as Credential | undefined) : undefined}
    retype={field.kind.type === "secret" && (single(context.values, field.name) ?? "") !== ""}
  />
);

/** A part of the policy as a fieldset. */
export const SettingFieldset: FC<{ group: SettingGroup; context: GroupContext; intro?: string }> = ({ group, context, intro }) => (
  <fieldset class="card group">
    <legend>{sectionTitle(context.text, group.section)}</legend>
    {intro ? <p class="muted">{intro}</p> : null}
    {group.fields.map((field) => (
      <Field field={field} context={context} />
    ))}
  </fieldset>
);

/** The routes fields, kept under "Advanced". */
const ADVANCED = /\.(routes|exempt)$/;

/** An operation: its checkbox, freshness, binding and shown fields; its routes under "Advanced". */
export const OperationFieldset: FC<{ group: SettingGroup; context: GroupContext; own: boolean }> = ({ group, context, own }) => {
  const { text } = context;
  const name = typeof group.section === "object" ? group.section.operation : "";
  const main = group.fields.filter((field) => !ADVANCED.test(field.name));
  const advanced = group.fields.filter((field) => ADVANCED.test(field.name));
  return (
    <fieldset class="operation" id={`operation-${name}`}>
      <legend>
        {sectionTitle(text, group.section)} <code class="muted">{name}</code>
        {own ? <span class="muted"> · {text.t("console.settings.op.own")}</span> : null}
      </legend>
      <div class="fields">
        {main.map((field) => (
          <Field field={field} context={context} />
        ))}
      </div>
      <details open={advanced.some((field) => context.errors.has(field.name))}>
        <summary>{text.t("console.settings.op.advanced")}</summary>
        {advanced.map((field) => (
          <Field field={field} context={context} />
        ))}
      </details>
    </fieldset>
  );
};

/** A fieldset's title: its words, or the operation's name in the page's language, capitalised. */
export function sectionTitle(text: PageText, section: SettingGroup["section"]): string {
  if (typeof section === "string") return text.t(section);
  const name = text.operation(section.operation);
  return name.charAt(0).toLocaleUpperCase(text.language) + name.slice(1);
}
