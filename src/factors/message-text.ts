/**
 * @module
 * The words of the texts and emails that carry a code, and the names of the built-in
 * operations they (and the hosted pages) approve. English is the source, and the one language
 * in the bundle: its keys and `{placeholder}` names are the ones every language has (a missing
 * key is a type error in `message-translations.ts`; `test/pages/i18n/catalogue.test.ts` checks
 * the placeholders). The other languages are read from the worker's assets on first use in an
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
