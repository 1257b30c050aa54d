/**
 * @module
 * A user's recent activity as an admin reads it: each entry in the words the user's own
 * settings page gives it, the entries only admins see (codes sent, an unlock, a requirement
 * set, backup codes made) in words of their own, and the admin who acted, where one did.
 */
import type { Child } from "hono/jsx";
import type { AuditEntry } from "../state/user/audit";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { activityEvent, FACTOR_NAMES } from "./settings-activity";

/** Entry types the user's own activity does not show. */
const ADMIN_EVENTS: Readonly<Record<string, PageKey>> = {
  "lockout.cleared": "console.users.event.unlocked",
  "requirement.set": "console.users.event.requirement",
  "code.sent": "console.users.event.codeSent",
  "code.refused": "console.users.event.codeRefused",
  "code.undelivered": "console.users.event.codeUndelivered",
  "backup_code.used": "console.users.event.backupCodeUsed",
  "backup_codes.issued": "console.users.event.backupCodesIssued",
  "factors.reenrolment_required": "console.users.event.reenrolment",
  "webauthn.counter_regressed": "activity.webauthn.counter_regressed",
};

/**
 * What happened, and by which admin (their actor, as the audit trail has it) when one acted.
 * An entry of a type this version does not name shows its type.
 * @example
 * <Activity text={text} entries={recent} describe={adminActivityEvent} />
 */
export function adminActivityEvent(text: PageText, entry: AuditEntry): Child {
  const { factor, actor } = entry.detail;
  const key = ADMIN_EVENTS[entry.type];
  const factorName = typeof factor === "string" ? FACTOR_NAMES[factor] : undefined;
  let event: Child = key ? text.t(key) : activityEvent(text, entry);
  if (key && factorName) event = text.t("activity.withFactor", { event: text.t(key), factor: text.t(factorName) });
  if (event === entry.type) event = <code>{entry.type}</code>;
  return typeof actor === "string" && actor !== "user" ? text.parts("console.users.byActor", { event, actor: <code>{actor}</code> }) : event;
}
