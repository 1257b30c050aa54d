/**
 * @module
 * The security settings form as data: a policy shown as the form's inputs, the submitted inputs
 * read back, which fields the admin changed, the candidate policy (the loaded policy with those
 * fields written onto it), and the policy's refusals placed beside the fields they name.
 */
import type { Policy } from "../config/policy-schema";
import type { FieldError } from "../lib/json-body";
import { type FormValue, type FormValues, type JsonObject, KEEP, type SettingField } from "./console-settings-kinds";

/** The submitted form's text inputs (files, which the form never has, are dropped). */
export function submittedValues(form: Record<string, unknown>): FormValues {
  const values: Record<string, FormValue> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value === "string") values[name] = value;
    else if (Array.isArray(value)) values[name] = value.filter((one): one is string => typeof one === "string");
  }
  return values;
}

/** `policy` as the form's inputs. */
export function shownValues(fields: readonly SettingField[], policy: Policy): FormValues {
  return Object.assign({}, ...fields.map((field) => field.show(policy)));
}

/**
 * The fields whose submitted value differs from what the form showed for `loaded`. A field the
 * admin left as loaded is not written, so what the form cannot say exactly (a default the
 * policy leaves unset, a shown field's labels) stays as the policy has it.
 * @example
 * changedFields(fields, loaded, submitted).map((f) => f.name) // ["operations.withdraw.enabled"]
 */
export function changedFields(fields: readonly SettingField[], loaded: Policy, submitted: FormValues): SettingField[] {
  return fields.filter((field) => {
    const now = field.read(submitted);
    return now !== KEEP && JSON.stringify(now) !== JSON.stringify(field.read(field.show(loaded)));
  });
}

/**
 * The policy to store: `stored` (the loaded policy's JSON, as stored) with `changed` written
 * onto it from `submitted`; everything else as it was.
 * @example
 * const candidate = candidatePolicy(JSON.parse(current.text), changed, submitted);
 */
export function candidatePolicy(stored: unknown, changed: readonly SettingField[], submitted: FormValues): JsonObject {
  const candidate = structuredClone(stored) as JsonObject;
  for (const field of changed) field.write(candidate, field.read(submitted));
  return candidate;
}

/**
 * What the form shows after a refused save: `policy`'s values, with the admin's inputs for
 * `fields` (all of a full form's, or the changed ones an "apply on top" form carried).
 */
export function keptValues(all: readonly SettingField[], policy: Policy, submitted: FormValues, fields: readonly SettingField[]): FormValues {
  const values: Record<string, FormValue | undefined> = { ...shownValues(all, policy) };
  for (const field of fields) for (const input of Object.keys(field.show(policy))) values[input] = submitted[input];
  return values;
}

/** The policy's refusals: beside each field they name, and those no field shows. */
export interface PlacedErrors {
  byField: ReadonlyMap<string, FieldError[]>;
  unplaced: FieldError[];
}

/**
 * Each error beside the field it names: the field at its pointer or holding it (an error in
 * `routes/2` is the routes field's), else the first field under it (`factors/sms/twilio` missing
 * is the account SID's); unplaced when the form shows nothing there (the identity, say).
 * @example
 * placeErrors(fields, [{ pointer: "#/lockout/lockSeconds", detail: "…" }]).byField.get("lockout.lockSeconds")
 */
export function placeErrors(fields: readonly SettingField[], errors: readonly FieldError[]): PlacedErrors {
  const byField = new Map<string, FieldError[]>();
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const path = pointerPath(error.pointer);
    const field = holder(fields, path) ?? fields.find((f) => startsWith(f.path, path) && path.length > 0);
    if (field) byField.set(field.name, [...(byField.get(field.name) ?? []), error]);
    else unplaced.push(error);
  }
  return { byField, unplaced };
}

/** The field whose path is the longest start of `path`. */
function holder(fields: readonly SettingField[], path: readonly string[]): SettingField | undefined {
  let best: SettingField | undefined;
  for (const field of fields) if (startsWith(path, field.path) && (!best || field.path.length > best.path.length)) best = field;
  return best;
}

function startsWith(path: readonly string[], start: readonly string[]): boolean {
  return start.length <= path.length && start.every((part, i) => path[i] === part);
}

/**
 * A JSON pointer in a URI fragment as its keys (RFC 6901: `~1` is `/`, `~0` is `~`).
 * @example
 * pointerPath("#/operations/withdraw/routes/1") // ["operations", "withdraw", "routes", "1"]
 */
export function pointerPath(pointer: string): string[] {
  const bare = pointer.replace(/^#/, "");
  if (bare === "" || bare === "/") return [];
  return bare
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
}
