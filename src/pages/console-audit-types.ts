/**
 * @module
 * The audit trail's entry types as the console names them: each in words (the user's own
 * activity words where they exist, the console's otherwise), grouped by what they are about,
 * with a group's type prefix (`verify.*`) where one selects exactly that group.
 */
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

/** A group of entry types in the filter's list. */
export interface AuditTypeGroup {
  label: PageKey;
  /** The `type` filter that selects every entry of the group (and no other), when there is one. */
  prefix: string | null;
  types: readonly string[];
}

/** Each type the trail records, in words. */
const TYPE_WORDS: Readonly<Record<string, PageKey>> = {
  "verify.ok": "activity.verify.ok",
  "verify.failed": "activity.verify.failed",
  "verify.refused": "console.activity.event.verifyRefused",
  "code.sent": "console.activity.event.codeSent",
  "code.refused": "console.activity.event.codeRefused",
  "code.undelivered": "console.activity.event.codeUndelivered",
  "factor.enrolled": "activity.factor.enrolled",
  "factor.replaced": "activity.factor.replaced",
  "factor.renamed": "activity.factor.renamed",
  "factor.removed": "activity.factor.removed",
  "backup_codes.issued": "console.activity.event.backupCodesIssued",
  "backup_code.used": "console.activity.event.backupCodeUsed",
  "device.trusted": "activity.device.trusted",
  "device.revoked": "activity.device.revoked",
  "lockout.started": "activity.lockout.started",
  "lockout.escalated": "activity.lockout.escalated",
  "lockout.cleared": "console.activity.event.lockoutCleared",
  "key.created": "console.activity.event.keyCreated",
  "key.revoked": "console.activity.event.keyRevoked",
  "console.signed_in": "console.activity.event.consoleSignedIn",
  "console.signed_out": "console.activity.event.consoleSignedOut",
  "console.sign_in_failed": "console.activity.event.consoleSignInFailed",
  "login.trusted_device": "activity.login.trusted_device",
  "signin.new_location": "activity.signin.new_location",
  "webauthn.counter_regressed": "activity.webauthn.counter_regressed",
  "user.reset": "activity.user.reset",
  "requirement.set": "console.activity.event.requirementSet",
  "factors.reenrolment_required": "console.activity.event.reenrolmentRequired",
  "policy.changed": "console.activity.event.policyChanged",
  "alert.sent": "console.activity.event.alertSent",
  "alert.refused": "console.activity.event.alertRefused",
  "webhook.created": "console.activity.event.webhookCreated",
  "webhook.updated": "console.activity.event.webhookUpdated",
  "webhook.rotated": "console.activity.event.webhookRotated",
  "webhook.tested": "console.activity.event.webhookTested",
  "webhook.disabled": "console.activity.event.webhookDisabled",
  "webhook.deleted": "console.activity.event.webhookDeleted",
  "event.replayed": "console.activity.event.eventReplayed",
};

/** The filter's list, in this order. */
export const AUDIT_TYPE_GROUPS: readonly AuditTypeGroup[] = [
  { label: "console.activity.group.verify", prefix: "verify.*", types: ["verify.ok", "verify.failed", "verify.refused"] },
  { label: "console.activity.group.code", prefix: "code.*", types: ["code.sent", "code.refused", "code.undelivered"] },
  { label: "console.activity.group.factor", prefix: "factor.*", types: ["factor.enrolled", "factor.replaced", "factor.renamed", "factor.removed"] },
  // `backup_code*` is both `backup_codes.issued` and `backup_code.used`.
  { label: "console.activity.group.backupCode", prefix: "backup_code*", types: ["backup_codes.issued", "backup_code.used"] },
  { label: "console.activity.group.device", prefix: "device.*", types: ["device.trusted", "device.revoked"] },
  { label: "console.activity.group.lockout", prefix: "lockout.*", types: ["lockout.started", "lockout.escalated", "lockout.cleared"] },
  { label: "console.activity.group.key", prefix: "key.*", types: ["key.created", "key.revoked"] },
  { label: "console.activity.group.console", prefix: "console.*", types: ["console.signed_in", "console.signed_out", "console.sign_in_failed"] },
  { label: "console.activity.group.alert", prefix: "alert.*", types: ["alert.sent", "alert.refused"] },
  {
    label: "console.activity.group.webhook",
    prefix: "webhook.*",
    types: ["webhook.created", "webhook.updated", "webhook.rotated", "webhook.tested", "webhook.disabled", "webhook.deleted"],
  },
  {
    label: "console.activity.group.other",
    prefix: null,
    types: [
      "login.trusted_device",
      "signin.new_location",
      "webauthn.counter_regressed",
      "user.reset",
      "requirement.set",
      "factors.reenrolment_required",
      "policy.changed",
      "event.replayed",
    ],
  },
];

/**
 * A type in words, or `null` for one this version does not name (the page shows its code).
 * @example
 * auditTypeWords(text, "key.created") // "API key created"
 */
export function auditTypeWords(text: PageText, type: string): string | null {
  const key = TYPE_WORDS[type];
  return key ? text.t(key) : null;
}

/** A `type` filter in words: a type, or a group's prefix ("Verifications: all"); `null` for any other. */
export function auditFilterWords(text: PageText, filter: string): string | null {
  const group = AUDIT_TYPE_GROUPS.find((g) => g.prefix === filter);
  return group ? text.t("console.activity.groupAll", { group: text.t(group.label) }) : auditTypeWords(text, filter);
}
