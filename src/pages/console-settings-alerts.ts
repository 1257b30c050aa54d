/**
 * @module
 * The security settings form's "Security alerts to users" fieldset: the policy's
 * `notifications` (docs/notifications.md), one switch per kind of alert, the operations each
 * approval of which the user is told of, and how many alerts of a kind one user may get in an
 * hour. Defaults come from the policy as loaded, so a policy that never named `notifications`
 * shows the security alerts on and approvals off, as they are.
 */
import type { Policy } from "../config/policy-schema";
import { checkbox, type ChoiceOption, type FieldBase, type FieldSection, number, type SettingField, set } from "./console-settings-kinds";
import type { PageKey } from "./i18n/catalogue";

const SECTION: PageKey = "console.settings.section.alerts";

/** Each switch, in the order docs/notifications.md lists them, with its words. */
const SWITCHES: ReadonlyArray<readonly [string, PageKey, PageKey?]> = [
  ["factorAdded", "console.settings.alerts.factorAdded"],
  ["factorRemoved", "console.settings.alerts.factorRemoved"],
  ["backupCodesRegenerated", "console.settings.alerts.backupCodesRegenerated"],
  ["backupCodesLow", "console.settings.alerts.backupCodesLow"],
  ["deviceTrusted", "console.settings.alerts.deviceTrusted"],
  ["lockout", "console.settings.alerts.lockout"],
  ["adminReset", "console.settings.alerts.adminReset"],
  ["newLocation", "console.settings.alerts.newLocation", "console.settings.alerts.newLocationHint"],
];

const at = (field: string, label: PageKey, hint?: PageKey): FieldBase => ({ path: ["notifications", field], label, hint, section: SECTION });

/**
 * The fieldset for `policy`: the approvals are offered for the form's operations and any the
 * policy names that it no longer has (so saving never drops one unseen).
 * @example
 * alertGroup(formOperations(policy), policy).fields.map((field) => field.name) // ["notifications.factorAdded", …]
 */
export function alertGroup(operations: readonly string[], policy: Policy): { section: FieldSection; fields: SettingField[] } {
  const approvable = [...new Set([...operations, ...policy.notifications.approvals])].map((name): ChoiceOption => ({ value: name, label: { own: name } }));
  return {
    section: SECTION,
    fields: [
      ...SWITCHES.map(([field, label, hint]) => checkbox(at(field, label, hint))),
      set(at("approvals", "console.settings.alerts.approvals", "console.settings.alerts.approvalsHint"), approvable),
      number(at("perKindPerHour", "console.settings.alerts.perKindPerHour", "console.settings.alerts.perKindPerHourHint")),
    ],
  };
}
