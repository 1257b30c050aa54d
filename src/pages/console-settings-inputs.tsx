/**
 * @module
 * One field of the security settings form as the page draws it: its label (or, for a group of
 * choices, its legend), its help, its input(s) holding the form's values, and the policy's
 * refusal beside it, tied to the input for screen readers (`aria-describedby`, `aria-invalid`).
 */
import type { Child, FC } from "hono/jsx";
import type { Credential } from "../config/policy-schema";
import type { FieldError } from "../lib/json-body";
import { type ChoiceOption, type FormValues, type SettingField, several, single } from "./console-settings-kinds";
import { FRESHNESS_PRESETS } from "./console-settings-operations";
import { formatDuration } from "../lib/message-format";
import type { PageText } from "./i18n/page-text";

/** The id of a field's input (or group), which the error summary links to. */
export function fieldId(name: string): string {
  return `s-${name.replace(/\[\]$/, "").replace(/[^\w-]/g, "-")}`;
}

export interface FieldProps {
  field: SettingField;
  text: PageText;
  values: FormValues;
  /** The policy's refusals of this field's value (then its message is shown beside it). */
  errors: readonly FieldError[] | undefined;
  /** A secret field's stored credential (never its value: only whether and how one is kept). */
  stored?: Credential | undefined;
  /** A secret field the admin filled in a form that was refused: they type it again. */
  retype?: boolean;
}

/** A field as the form draws it. */
export const SettingInput: FC<FieldProps> = (props) => {
  const { field, text } = props;
  const id = fieldId(field.name);
  const invalid = props.errors !== undefined && props.errors.length > 0;
  const described = [field.hint ? `${id}-hint` : null, field.kind.type === "secret" ? `${id}-kept` : null, invalid ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  const hint = field.hint ? (
    <p class="muted hint" id={`${id}-hint`}>
      {text.t(field.hint)}
    </p>
  ) : null;
  const error = invalid ? (
    <p class="error" id={`${id}-error`}>
      {text.t(field.error.key, field.error.params)}
    </p>
  ) : null;
  const aria = { "aria-describedby": described || undefined, "aria-invalid": invalid ? "true" : undefined };
  const { kind } = field;
  if (kind.type === "checkbox") {
    return (
      <div class="field">
        <input type="hidden" name={field.name} value="0" />
        <label class="check" for={id}>
          <input type="checkbox" id={id} name={field.name} value="1" checked={single(props.values, field.name) === "1"} {...aria} /> {text.t(field.label)}
        </label>
        {hint}
        {error}
      </div>
    );
  }
  if (kind.type === "choice" && kind.style === "radio") {
    return (
      <Choices id={id} legend={text.t(field.label)} aria={aria} hint={hint} error={error} layout="stack">
        {kind.options.map((option) => (
          <Option
            text={text}
            type="radio"
            name={field.name}
            option={option}
            id={`${id}-${option.value}`}
            checked={single(props.values, field.name) === option.value}
          />
        ))}
      </Choices>
    );
  }
  if (kind.type === "set") {
    const chosen = several(props.values, field.name);
    return (
      <Choices id={id} legend={text.t(field.label)} aria={aria} hint={hint} error={error} layout="columns">
        {kind.options.map((option) => (
          <Option text={text} type="checkbox" name={field.name} option={option} id={`${id}-${option.value}`} checked={chosen.includes(option.value)} />
        ))}
      </Choices>
    );
  }
  if (kind.type === "freshness") {
    const chosen = single(props.values, field.name);
    const custom = `${field.name}-custom`;
    return (
      <Choices id={id} legend={text.t(field.label)} aria={aria} hint={hint} error={error}>
        {FRESHNESS_PRESETS.map((seconds) => (
          <label class="check" for={`${id}-${seconds}`}>
            <input type="radio" id={`${id}-${seconds}`} name={field.name} value={String(seconds)} checked={chosen === String(seconds)} />{" "}
            {freshnessWords(text, seconds)}
          </label>
        ))}
        <label class="check" for={`${id}-custom`}>
          <input type="radio" id={`${id}-custom`} name={field.name} value="custom" checked={chosen === "custom"} />{" "}
          {text.t("console.settings.freshness.custom")}
        </label>
        <span class="custom">
          <label for={`${id}-seconds`}>{text.t("console.settings.freshness.seconds")}</label>
          <input
            type="number"
            id={`${id}-seconds`}
            name={custom}
            value={single(props.values, custom) ?? ""}
            min={kind.min}
            max={kind.max}
            inputmode="numeric"
            {...aria}
          />
        </span>
      </Choices>
    );
  }
  return (
    <div class="field">
      <label for={id}>{text.t(field.label)}</label>
      {hint}
      {kind.type === "secret" ? <SecretKept id={`${id}-kept`} text={text} stored={props.stored} retype={props.retype ?? false} /> : null}
      <SingleInput field={field} id={id} values={props.values} text={text} aria={aria} />
      {error}
    </div>
  );
};

type Aria = { "aria-describedby": string | undefined; "aria-invalid": string | undefined };

/** A field's input when it is one input: a number, a line, a menu, a list or a secret. */
const SingleInput: FC<{ field: SettingField; id: string; values: FormValues; text: PageText; aria: Aria }> = ({ field, id, values, text, aria }) => {
  const value = single(values, field.name) ?? "";
  const { kind } = field;
  switch (kind.type) {
    case "number":
      return <input type="number" id={id} name={field.name} value={value} min={kind.min} max={kind.max} inputmode="numeric" {...aria} />;
    case "text":
      return <input type={kind.input} id={id} name={field.name} value={value} spellcheck={false} autocomplete="off" {...aria} />;
    case "choice":
      return (
        <select id={id} name={field.name} {...aria}>
          {kind.options.map((option) => (
            <option value={option.value} selected={value === option.value}>
              {optionLabel(text, option)}
            </option>
          ))}
        </select>
      );
    case "lines":
      return (
        <textarea id={id} name={field.name} rows={Math.max(1, value.split("\n").length)} spellcheck={false} autocomplete="off" dir="ltr" {...aria}>
          {value}
        </textarea>
      );
    case "secret":
      // Never filled: the stored secret stays on the server, sealed.
      return <input type="password" id={id} name={field.name} value="" autocomplete="new-password" spellcheck={false} {...aria} />;
    default:
      return null;
  }
};

/** Whether a secret is kept, and how (sealed, or a Worker secret by its name); never its value. */
const SecretKept: FC<{ id: string; text: PageText; stored: Credential | undefined; retype: boolean }> = ({ id, text, stored, retype }) => (
  <p class="muted hint" id={id}>
    {stored === undefined
      ? text.t("console.settings.secret.none")
      : typeof stored === "object" && "ref" in stored
        ? text.parts("console.settings.secret.ref", { name: <code>{stored.ref}</code> })
        : text.t("console.settings.secret.kept")}{" "}
    {retype ? <strong>{text.t("console.settings.secret.retype")}</strong> : null}
  </p>
);

/**
 * A freshness in words: "every time", whole hours as hours, shorter as seconds or minutes.
 * @example
 * freshnessWords(text, 3600) // "1 hour"
 */
export function freshnessWords(text: PageText, seconds: number): string {
  if (seconds === 0) return text.t("console.settings.freshness.everyTime");
  if (seconds % 3600 === 0) return formatDuration(seconds / 3600, "hour", text.language);
  return text.wait(seconds);
}

/** A group of choices: the field's label as its legend, its help and its error inside. */
const Choices: FC<{ id: string; legend: string; aria: Aria; hint: Child; error: Child; layout?: "stack" | "columns"; children?: Child }> = (props) => (
  <fieldset class={props.layout ? `choices ${props.layout}` : "choices"} id={props.id} aria-describedby={props.aria["aria-describedby"]}>
    <legend>{props.legend}</legend>
    {props.hint}
    {props.error}
    <div class="options">{props.children}</div>
  </fieldset>
);

const Option: FC<{ text: PageText; type: "radio" | "checkbox"; name: string; option: ChoiceOption; id: string; checked: boolean }> = (props) => (
  <label class="check" for={props.id}>
    <input type={props.type} id={props.id} name={props.name} value={props.option.value} checked={props.checked} />{" "}
    {typeof props.option.label === "string" ? props.text.t(props.option.label) : <bdi>{props.option.label.own}</bdi>}
  </label>
);

function optionLabel(text: PageText, option: ChoiceOption): string {
  return typeof option.label === "string" ? text.t(option.label) : option.label.own;
}
