/**
 * @module
 * The operations on the security settings form: the standard brokerage operations every portal
 * is offered (with the routes a first tick gives them) and the tenant's own, each a checkbox
 * with its freshness, whether it is bound to the request, the fields shown while approving, and
 * its routes.
 *
 * An operation the policy has with `enabled: false` protects nothing, as one it does not have
 * (`compileOperations` leaves it out), but keeps its routes and settings for the next tick. So
 * unticking keeps the operation and turns it off; a standard operation the policy never had
 * stays out of it until it is ticked.
 */
import { bindsRequest, displayEntry, type Operation, OperationSchema } from "../config/operation-schema";
import type { Policy } from "../config/policy-schema";
import type { PageKey } from "./i18n/catalogue";
import { boundsAt, type FormValues, type JsonObject, linesOf, type SettingField, single, wholeNumber, writeAt } from "./console-settings-kinds";

/**
 * The operations of a brokerage portal, offered to every tenant, and the routes each claims when
 * first ticked. A checkbox that claimed no route would look on and protect nothing, so a first
 * tick starts from the paths portals commonly give these forms, POST only (the page that shows a
 * form is not the operation); the admin sees and edits them under "Advanced" before saving.
 * `login` claims every route: it guards the session, with sign-in, sign-out and static files
 * always left out (`DEFAULT_LOGIN_EXEMPT`). Money movement starts at "every time", account
 * changes at five minutes, a sign-in at twelve hours.
 */
export const STANDARD_OPERATIONS: Readonly<Record<string, { routes: readonly string[]; maxAge: number }>> = {
  login: { routes: ["* /*"], maxAge: 12 * 3600 },
  deposit: { routes: ["POST /deposit", "POST /api/deposit"], maxAge: 0 },
  withdraw: { routes: ["POST /withdraw", "POST /api/withdraw"], maxAge: 0 },
  transfer: { routes: ["POST /transfer", "POST /api/transfer"], maxAge: 0 },
  prop_challenge_fee: { routes: ["POST /prop-challenge", "POST /api/prop-challenge"], maxAge: 0 },
  trading_competition_fee: { routes: ["POST /trading-competition", "POST /api/trading-competition"], maxAge: 0 },
  change_password: { routes: ["POST /password", "POST /api/password"], maxAge: 300 },
  update_email: { routes: ["POST /email", "POST /api/email"], maxAge: 300 },
};

/** The freshness choices besides "custom": every time, five minutes, an hour (seconds). */
export const FRESHNESS_PRESETS: readonly number[] = [0, 300, 3600];

/** The operations the form shows: the standard ones, then the tenant's own in the policy's order. */
export function formOperations(policy: Policy): string[] {
  return [...new Set([...Object.keys(STANDARD_OPERATIONS), ...Object.keys(policy.operations)])];
}

/** The operation as the policy has it, or as a first tick would make it. */
function operationOf(policy: Policy, name: string): Operation {
  if (Object.hasOwn(policy.operations, name)) return policy.operations[name]!;
  return OperationSchema.parse(firstTick(name));
}

/** What a first tick adds: the standard routes and freshness, or (for an operation no longer standard) nothing claimed. */
function firstTick(name: string): JsonObject {
  const standard = Object.hasOwn(STANDARD_OPERATIONS, name) ? STANDARD_OPERATIONS[name]! : { routes: [], maxAge: 0 };
  return { enabled: true, routes: [...standard.routes], maxAge: standard.maxAge };
}

/** Whether the candidate has the operation (the fields beside its checkbox only change one it has). */
function hasOperation(candidate: JsonObject, name: string): boolean {
  const operations = candidate.operations;
  return typeof operations === "object" && operations !== null && Object.hasOwn(operations, name);
}

/**
 * An operation's fields: its checkbox first (a first tick makes the operation the others then
 * change), its freshness, request binding, shown fields, routes and exemptions.
 */
export function operationFields(name: string): SettingField[] {
  const path = (field: string) => ["operations", name, field] as const;
  const key = (field: string) => `operations.${name}.${field}`;
  const inOperation = (field: string) => (candidate: JsonObject, value: unknown) => {
    if (hasOperation(candidate, name)) writeAt(candidate, path(field), value);
  };
  const section = { operation: name };
  const freshness = boundsAt(path("maxAge"));
  /** A list of the operation's, one entry per line. */
  const list = (field: "routes" | "exempt" | "display", label: PageKey, hint: PageKey | undefined, error: PageKey, show: (op: Operation) => string[]) => ({
    name: key(field),
    path: path(field),
    label,
    hint,
    section,
    kind: { type: "lines" } as const,
    error: { key: error },
    show: (policy: Policy) => ({ [key(field)]: show(operationOf(policy, name)).join("\n") }),
    read: (values: FormValues) => linesOf(single(values, key(field))),
    write: inOperation(field),
  });
  return [
    {
      name: key("enabled"),
      path: path("enabled"),
      label: "console.settings.op.protect",
      section,
      kind: { type: "checkbox" },
      error: { key: "console.settings.error.choice" },
      show: (policy) => ({ [key("enabled")]: Object.hasOwn(policy.operations, name) && policy.operations[name]!.enabled ? "1" : "0" }),
      read: (values) => single(values, key("enabled")) === "1",
      write: (candidate, value) => {
        if (hasOperation(candidate, name)) writeAt(candidate, path("enabled"), value);
        else if (value === true) writeAt(candidate, ["operations", name], firstTick(name));
      },
    },
    {
      name: key("maxAge"),
      path: path("maxAge"),
      label: "console.settings.op.freshness",
      section,
      kind: { type: "freshness", ...freshness },
      error: { key: "console.settings.error.wholeNumber", params: { min: freshness.min ?? 0, max: freshness.max ?? 0 } },
      show: (policy) => {
        const seconds = operationOf(policy, name).maxAge;
        const preset = FRESHNESS_PRESETS.includes(seconds);
        return { [key("maxAge")]: preset ? String(seconds) : "custom", [customSeconds(name)]: preset ? "" : String(seconds) };
      },
      read: (values) => {
        const chosen = single(values, key("maxAge"));
        return wholeNumber(chosen === "custom" ? single(values, customSeconds(name)) : chosen);
      },
      write: inOperation("maxAge"),
    },
    {
      name: key("bindRequest"),
      path: path("bindRequest"),
      label: "console.settings.op.bind",
      section,
      kind: { type: "checkbox" },
      error: { key: "console.settings.error.choice" },
      show: (policy) => ({ [key("bindRequest")]: bindsRequest(name, operationOf(policy, name)) ? "1" : "0" }),
      read: (values) => single(values, key("bindRequest")) === "1",
      write: inOperation("bindRequest"),
    },
    {
      ...list("display", "console.settings.op.display", undefined, "console.settings.error.display", (op) =>
        op.display.map((entry) => displayEntry(entry).field),
      ),
      write: (candidate, value) => {
        if (!hasOperation(candidate, name)) return;
        // Edited by name: a name still listed keeps its entry as the policy has it (its label in
        // each language, its format); a new name is shown as sent.
        const operation = (candidate.operations as Record<string, JsonObject>)[name]!;
        const before = Array.isArray(operation.display) ? (operation.display as Operation["display"]) : [];
        const kept = new Map(before.map((entry) => [displayEntry(entry).field, entry]));
        writeAt(
          candidate,
          path("display"),
          (value as string[]).map((field) => kept.get(field) ?? field),
        );
      },
    },
    list("routes", "console.settings.op.routes", "console.settings.op.routesHint", "console.settings.error.routes", (op) => op.routes),
    list("exempt", "console.settings.op.exempt", undefined, "console.settings.error.routes", (op) => op.exempt),
  ];
}

/** The input holding an operation's freshness in seconds when "custom" is chosen. */
function customSeconds(name: string): string {
  return `operations.${name}.maxAge-custom`;
}
