/**
 * @module
 * The kinds of field the security settings form is made of (a switch, a whole number, a line of
 * text, a choice, one entry per line, a set of boxes, a write-only secret), each knowing how to
 * show a policy's value as the form's inputs, read the submitted inputs back as a policy value,
 * and write that into a candidate policy. Number bounds and choices are read from the policy's
 * schema, so the form never disagrees with what the write accepts.
 */
import type * as z from "zod";
import type { Policy } from "../config/policy-schema";
import { PolicySchema } from "../config/policy-schema";
import { valueAt } from "../config/policy-fields";
import type { PageKey } from "./i18n/catalogue";

/** One input's text, or the texts of an input sent several times (`name[]`). */
export type FormValue = string | readonly string[];
/** A form's inputs by name, as sent or as a policy fills them. */
export type FormValues = Readonly<Record<string, FormValue | undefined>>;
/** A policy being built from the loaded one: plain JSON. */
export type JsonObject = Record<string, unknown>;

/** A read value that leaves the policy as it is (a secret left blank). */
export const KEEP = Symbol("keep");
/** A read value that removes the field (an optional one left blank). */
export const OMIT = Symbol("omit");

/** What the form draws for a field. */
export type FieldKind =
  | { type: "checkbox" }
  | { type: "number"; min: number | undefined; max: number | undefined }
  | { type: "text"; input: "text" | "url" | "email"; optional: boolean }
  | { type: "choice"; options: readonly ChoiceOption[]; style: "radio" | "select" }
  | { type: "lines" }
  | { type: "set"; options: readonly ChoiceOption[] }
  | { type: "secret" }
  | { type: "freshness"; min: number | undefined; max: number | undefined };

/** A choice: its value, and its words (a catalogue key) or its own name (`SHA256`, `Deutsch`). */
export interface ChoiceOption {
  value: string;
  label: PageKey | { own: string };
}

/** Where a field sits on the page: a fieldset's legend (a catalogue key), or an operation's. */
export type FieldSection = PageKey | { operation: string };

export interface SettingField {
  /** Its input's name (`lockout.lockSeconds`); an input sent several times ends in `[]`. */
  name: string;
  /** Where its value sits in the policy; an error at or under it is shown beside the field. */
  path: readonly string[];
  kind: FieldKind;
  label: PageKey;
  /** A line of help under the label, if any. */
  hint?: PageKey;
  section: FieldSection;
  /** Shown beside the field when the policy refuses its value. */
  error: { key: PageKey; params?: Record<string, string | number> };
  /** The policy's value as the field's inputs. */
  show(policy: Policy): Record<string, FormValue>;
  /** The submitted inputs as the value to write, {@link KEEP} or {@link OMIT}. */
  read(values: FormValues): unknown;
  /** Writes a value {@link read} gave into the candidate policy. */
  write(candidate: JsonObject, value: unknown): void;
}

/** What every kind of field is built from. */
export interface FieldBase {
  path: readonly string[];
  label: PageKey;
  hint?: PageKey;
  section: FieldSection;
}

/**
 * The schema of the policy's field at `path`, with its defaults and optionality taken off.
 * @example
 * schemaAt(["lockout", "lockSeconds"]).maxValue // 86400
 */
export function schemaAt(path: readonly string[]): z.ZodType {
  let schema = unwrapped(PolicySchema as unknown as z.ZodType);
  for (const key of path) {
    const def = schema.def as unknown as { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType };
    const next = def.type === "object" ? def.shape?.[key] : def.type === "record" ? def.valueType : undefined;
    if (!next) throw new Error(`stepgate: the policy has no field ${path.join(".")}`);
    schema = unwrapped(next);
  }
  return schema;
}

function unwrapped(schema: z.ZodType): z.ZodType {
  let inner = schema;
  for (let def = inner.def as { type: string; innerType?: z.ZodType }; ["default", "prefault", "optional"].includes(def.type); def = inner.def as typeof def) {
    inner = def.innerType!;
  }
  return inner;
}

/** The smallest and largest whole number the schema takes at `path`. */
export function boundsAt(path: readonly string[]): { min: number | undefined; max: number | undefined } {
  const schema = schemaAt(path) as unknown as { minValue?: number | null; maxValue?: number | null };
  return { min: schema.minValue ?? undefined, max: schema.maxValue ?? undefined };
}

/** The schema's choices at `path` (an enum's options). */
export function optionsAt(path: readonly string[]): readonly string[] {
  return (schemaAt(path) as unknown as { options: readonly string[] }).options;
}

/** Puts `value` at `path`, making the objects on the way; {@link OMIT} removes the field, {@link KEEP} leaves it. */
export function writeAt(candidate: JsonObject, path: readonly string[], value: unknown): void {
  if (value === KEEP) return;
  let parent = candidate;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(parent, key) ? parent[key] : undefined;
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      if (value === OMIT) return;
      // Defined, not assigned: a key named `__proto__` must stay a key (and be refused as unknown).
      define(parent, key, {});
    }
    parent = parent[key] as JsonObject;
  }
  const last = path.at(-1)!;
  if (value === OMIT) delete parent[last];
  else define(parent, last, value);
}

function define(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One value of an input (the last, where it was sent twice: a checkbox after its hidden "off"). */
export function single(values: FormValues, name: string): string | undefined {
  const value = values[name];
  return Array.isArray(value) ? value.at(-1) : (value as string | undefined);
}

/** Every value of an input sent several times. */
export function several(values: FormValues, name: string): string[] {
  const value = values[name];
  return value === undefined ? [] : Array.isArray(value) ? [...value] : [value as string];
}

/**
 * A whole number as a number; anything else as it was typed, for the schema to refuse beside the
 * field ("ten" or "1.5" is the admin's mistake to see, not a value to guess at).
 */
export function wholeNumber(typed: string | undefined): unknown {
  const trimmed = (typed ?? "").trim();
  return /^-?\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function generic(base: FieldBase, kind: FieldKind, error: SettingField["error"], read: SettingField["read"], show: SettingField["show"]): SettingField {
  const name = base.path.join(".") + (kind.type === "set" ? "[]" : "");
  return { ...base, name, kind, error, read, show, write: (candidate, value) => writeAt(candidate, base.path, value) };
}

/** An on/off switch: a checkbox after a hidden "0", so "off" is sent too. */
export function checkbox(base: FieldBase): SettingField {
  const name = base.path.join(".");
  return generic(
    base,
    { type: "checkbox" },
    { key: "console.settings.error.choice" },
    (values) => single(values, name) === "1",
    (policy) => ({ [name]: valueAt(policy, base.path) === true ? "1" : "0" }),
  );
}

/** A whole number within the schema's bounds; blank removes an optional one. */
export function number(base: FieldBase, options: { optional?: boolean } = {}): SettingField {
  const name = base.path.join(".");
  const bounds = boundsAt(base.path);
  return generic(
    base,
    { type: "number", ...bounds },
    { key: "console.settings.error.wholeNumber", params: { min: bounds.min ?? 0, max: bounds.max ?? Number.MAX_SAFE_INTEGER } },
    (values) => {
      const typed = single(values, name)?.trim() ?? "";
      return typed === "" && options.optional ? OMIT : wholeNumber(typed);
    },
    (policy) => ({ [name]: stringOf(valueAt(policy, base.path)) }),
  );
}

/** A line of text; blank removes an optional one. */
export function text(base: FieldBase, options: { optional?: boolean; input?: "text" | "url" | "email"; error?: PageKey } = {}): SettingField {
  const name = base.path.join(".");
  const input = options.input ?? "text";
  const error =
    options.error ?? (input === "url" ? "console.settings.error.url" : input === "email" ? "console.settings.error.email" : "console.settings.error.text");
  return generic(
    base,
    { type: "text", input, optional: options.optional ?? false },
    { key: error },
    (values) => {
      const typed = single(values, name)?.trim() ?? "";
      return typed === "" && options.optional ? OMIT : typed;
    },
    (policy) => ({ [name]: stringOf(valueAt(policy, base.path)) }),
  );
}

/** One of the schema's choices, as radio buttons or a menu; `numeric` for choices that are numbers (6 or 8 digits). */
export function choice(
  base: FieldBase,
  options: readonly ChoiceOption[],
  style: "radio" | "select",
  { numeric = false, error = "console.settings.error.choice" }: { numeric?: boolean; error?: PageKey } = {},
): SettingField {
  const name = base.path.join(".");
  return generic(
    base,
    { type: "choice", options, style },
    { key: error },
    (values) => {
      const chosen = single(values, name) ?? "";
      return numeric ? wholeNumber(chosen) : chosen;
    },
    (policy) => ({ [name]: stringOf(valueAt(policy, base.path)) }),
  );
}

/** A list, one entry per line (blank lines dropped). */
export function lines(base: FieldBase, error: PageKey = "console.settings.error.text"): SettingField {
  const name = base.path.join(".");
  return generic(
    base,
    { type: "lines" },
    { key: error },
    (values) => linesOf(single(values, name)),
    (policy) => ({ [name]: ((valueAt(policy, base.path) as string[] | undefined) ?? []).join("\n") }),
  );
}

/** The entries of a textarea: one per line, trimmed, blank lines dropped. */
export function linesOf(typed: string | undefined): string[] {
  return (typed ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Several of a set of choices, kept in the choices' order (so a different order is no change). */
export function set(base: FieldBase, options: readonly ChoiceOption[], error: PageKey = "console.settings.error.choice"): SettingField {
  const name = `${base.path.join(".")}[]`;
  const order = options.map((option) => option.value);
  const ordered = (chosen: readonly string[]) => [...new Set(chosen)].sort((a, b) => rank(order, a) - rank(order, b));
  return generic(
    base,
    { type: "set", options },
    { key: error },
    (values) => ordered(several(values, name)),
    (policy) => ({ [name]: ordered((valueAt(policy, base.path) as string[] | undefined) ?? []) }),
  );
}

function rank(order: readonly string[], value: string): number {
  const index = order.indexOf(value);
  return index === -1 ? order.length : index;
}

/**
 * A provider credential, write-only: never shown (the field is always blank), blank keeps the
 * stored one, a value replaces it (sealed before it is stored, as the admin API does).
 */
export function secret(base: FieldBase): SettingField {
  const name = base.path.join(".");
  return generic(
    base,
    { type: "secret" },
    { key: "console.settings.error.secret" },
    (values) => {
      const typed = single(values, name) ?? "";
      return typed === "" ? KEEP : typed;
    },
    () => ({ [name]: "" }),
  );
}

function stringOf(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
