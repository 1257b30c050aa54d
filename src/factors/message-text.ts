/**
 * @module
 * The words of the texts and emails that carry a code, and the names of the built-in
 * operations they (and the hosted pages) approve, in every language of `config/languages.ts`.
 * English is the source: its keys and `{placeholder}` names are the ones every language has
 * (a missing key is a type error; `test/factors/message-text.test.ts` checks the placeholders).
 */
import type { Language } from "../config/languages";
import type { Message } from "../lib/message-format";

const en = {
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
  "op.login": "login",
  "op.deposit": "deposit",
  "op.withdraw": "withdraw",
  "op.transfer": "transfer",
  "op.prop_challenge_fee": "prop challenge fee",
  "op.trading_competition_fee": "trading competition fee",
  "op.change_password": "change password",
  "op.update_email": "update email",
  "op.manage_factors": "manage factors",
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;
export type MessageCatalogue = Readonly<Record<MessageKey, Message>>;

/** Every language's message words; English is the source of the keys. */
export const MESSAGE_TEXT: Readonly<Partial<Record<Language, MessageCatalogue>>> = { en };
