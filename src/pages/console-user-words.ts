/**
 * @module
 * How the console's users pages name a user's state in the page's language: enrolment status,
 * factors, the admin's requirement, the lockout, and a time that may not have happened yet.
 */
import { formatList } from "../lib/message-format";
import type { DirectoryEntry } from "../state/tenant/views";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { FACTOR_NAMES } from "./settings-activity";

export const STATUS_WORDS: Readonly<Record<DirectoryEntry["status"] | "locked" | "locked_until_unlock", PageKey>> = {
  enrolled: "console.users.status.enrolled",
  pending: "console.users.status.pending",
  not_enrolled: "console.users.status.notEnrolled",
  locked: "console.users.status.locked",
  locked_until_unlock: "console.users.status.lockedUntilUnlock",
};

/** A user's lockout in the users table: until when, until an admin unlocks, or "No". */
export function lockWord(text: PageText, lock: Pick<DirectoryEntry, "lockedUntil" | "lockedUntilUnlock">): string {
  if (lock.lockedUntilUnlock) return text.t("console.users.lockedUntilUnlock");
  return lock.lockedUntil ? text.t("console.users.lockedUntil", { time: text.dateTime(lock.lockedUntil) }) : text.t("console.users.notLocked");
}

/** The admin's per-user decision: `true` required, `false` exempt, `null` as the policy says. */
export function requirementWord(text: PageText, required: boolean | null): string {
  return text.t(required === null ? "console.users.required.policy" : required ? "console.users.required.true" : "console.users.required.false");
}

/** Factor kinds by name, as a list in the page's language ("Authenticator app, Passkey"); "None" for none. */
export function factorsWord(text: PageText, factors: readonly string[]): string {
  if (factors.length === 0) return text.t("console.users.none");
  const names = factors.map((kind) => (FACTOR_NAMES[kind] ? text.t(FACTOR_NAMES[kind]!) : kind));
  return formatList(names, text.language);
}

/** An ISO time in the page's language and time zone, or "Not yet". */
export function timeWord(text: PageText, iso: string | null): string {
  return iso ? text.dateTime(iso) : text.t("console.users.notYet");
}
