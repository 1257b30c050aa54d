/**
 * @module
 * The words of the texts and emails that carry a code, the names of the built-in operations
 * they (and the hosted pages) approve, and the security alerts to users (`alert-message.ts`).
 * English is the source, and the one language in the bundle: its keys and `{placeholder}` names
 * are the ones every language has (a missing key is a type error in `message-translations.ts`;
 * `test/pages/i18n/catalogue.test.ts` checks the placeholders). The other languages are read from the worker's assets on first use in an
 * isolate (`flows/language-words.ts`) and kept here.
 */
import type { Language } from "../config/languages";
import { keptWords } from "../lib/kept-words";
import type { Message } from "../lib/message-format";

export const en = {
  "code.sms": "{code} is your {tenant} code. It expires in {duration}. Never share it.",
  "code.smsApproving": "{code} is your {tenant} code to approve: {approves}. It expires in {duration}. Never share it.",
  "code.emailSubject": "{tenant} verification code: {code}",
  "code.emailIntro": "Your {tenant} verification code is:",
  "code.emailApproves": "It approves: {approves}.",
  "code.emailConfirm": "Use it to confirm it's you.",
  "code.emailExpires": "It expires in {duration} and works once.",
  "code.emailWarning":
    "If you did not ask for this code, someone may know your password: change it, and do not share this code with anyone — {tenant} will never ask you for it.",
  "code.approval": "{operation} ({fields})",
  "code.listSeparator": ", ",
  "op.login": "sign-in",
  "op.deposit": "deposit",
  "op.withdraw": "withdrawal",
  "op.transfer": "transfer",
  "op.prop_challenge_fee": "prop challenge fee",
  "op.trading_competition_fee": "trading competition fee",
  "op.change_password": "password change",
  "op.update_email": "email change",
  "op.manage_factors": "security settings change",
  "op.admin_console": "opening the admin console",
  // security alerts: start
  "alert.subject": "{tenant}: {title}",
  "alert.factorAdded.title": "Factor added",
  "alert.factorAdded.what": "A factor was added to your {tenant} account: {factor}. It can now be used to confirm it's you.",
  "alert.factorRemoved.title": "Factor removed",
  "alert.factorRemoved.what": "A factor was removed from your {tenant} account: {factor}.",
  "alert.factorReplaced.title": "Authenticator app replaced",
  "alert.factorReplaced.what": "The authenticator app of your {tenant} account was replaced by another: codes from the old one no longer work.",
  "alert.backupCodesRegenerated.title": "New backup codes",
  "alert.backupCodesRegenerated.what": "New backup codes were made for your {tenant} account. The old ones no longer work.",
  "alert.backupCodesLow.title": "Few backup codes left",
  "alert.backupCodesLow.what": "A backup code of your {tenant} account was used. Backup codes left: {count}.",
  "alert.deviceTrusted.title": "Device trusted",
  "alert.deviceTrusted.what": "A browser was trusted on your {tenant} account: on it, some verifications are skipped for a while.",
  "alert.lockoutStarted.title": "Verification locked",
  "alert.lockoutStarted.what": "Verification on your {tenant} account was locked after several wrong codes, until {until}.",
  "alert.lockoutEscalated.title": "Verification locked until unlocked",
  "alert.lockoutEscalated.what": "Verification on your {tenant} account was locked after repeated wrong codes, until an administrator unlocks it.",
  "alert.adminReset.title": "Two-factor verification reset",
  "alert.adminReset.what":
    "An administrator reset two-factor verification on your {tenant} account: its factors, backup codes and trusted devices were removed.",
  "alert.newLocation.title": "Sign-in from a new place",
  "alert.newLocation.what": "Your {tenant} account was signed in to from a country or network it had not been used from.",
  "alert.approval.title": "Approved: {operation}",
  "alert.approval.what": "Approved on your {tenant} account: {approves}.",
  "alert.factor.totp": "authenticator app",
  "alert.factor.sms": "codes by text message",
  "alert.factor.email": "codes by email",
  "alert.factor.webauthn": "passkey",
  "alert.device": "Device: {device}",
  "alert.when": "When: {time} ({zone})",
  "alert.where": "Where: {place}",
  "alert.unknownPlace": "an unknown place",
  "alert.ifYou": "If you did this, there is nothing to do.",
  "alert.notYou": "If it was not you, get help at once: {help}",
  "alert.notYouContact": "If it was not you, contact {tenant} at once.",
  "alert.footer": "This message has no link to sign in and no code. {tenant} will never ask you for a code.",
  "alert.sms": "{what} When: {time} ({zone}). Where: {place}. Not you? {help}",
  "alert.smsContact": "Contact {tenant}.",
  // security alerts: end
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
export type MessageCatalogue = Readonly<Record<MessageKey, Message>>;

const kept = keptWords<Language, MessageCatalogue>("message words", "en", en);

/**
 * `language`'s message words. English is always here; another language once it was loaded
 * (`flows/language-words.ts`). A language asked for before it was loaded is a bug in the caller,
 * not a reason to send English: it throws.
 * @example
 * messageCatalogue("en")["op.withdraw"] // "withdrawal"
 */
export const messageCatalogue = kept.get;
/** Keeps `language`'s message words, read from the assets, for the isolate's life. */
export const keepMessageCatalogue = kept.keep;
/** Whether `language`'s message words are here already. */
export const hasMessageCatalogue = kept.has;
