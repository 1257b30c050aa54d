/**
 * @module
 * The texts and emails that carry a code. They hold only the code, the tenant's name, how long
 * it lasts and what it approves — never a link, so a phishing copy has nothing to imitate. The
 * words are in `message-text.ts`, one catalogue per language; a tenant may reword any of them
 * per language (`branding.text`).
 */
import type { Language } from "../config/languages";
import { formatDuration, formatMessage, type MessageParams, overridden } from "../lib/message-format";
import { type ApprovedField, shownField } from "./approved-field";
import { type MessageKey, messageCatalogue } from "./message-text";

/** One language's entries of the policy's `branding.text`: catalogue key → the tenant's wording. */
export type TextOverrides = Readonly<Record<string, string>>;

/** What a code approves: the operation and the request's fields shown to the user. */
export interface Approval {
  operation: string;
  approving: readonly ApprovedField[];
}

export interface CodeMessageParams {
  tenant: string;
  code: string;
  /** How long the code lasts. */
  ttlSeconds: number;
  /** What the code approves, when it answers a challenge. */
  approval: Approval | null;
}

/**
 * The words of `language` with the tenant's own in their place.
 * @example
 * messageWords("de", {})("code.emailSubject", { tenant: "Acme", code: "123456" })
 */
export function messageWords(language: Language, overrides: TextOverrides = {}): (key: MessageKey, params?: MessageParams) => string {
  const catalogue = messageCatalogue(language);
  return (key, params) => formatMessage(overridden(catalogue[key], overrides[key]), language, params);
}

/**
 * An operation's name in `language`: the built-in ones translated, a tenant's own as the tenant
 * named it (`op.<name>` in `branding.text`), else as written, `_` read as a space.
 * @example
 * operationLabel("en", "change_password") // "password change"
 */
export function operationLabel(language: Language, operation: string, overrides: TextOverrides = {}): string {
  const key = `op.${operation}`;
  const own = overrides[key];
  if (own !== undefined) return own;
  const catalogue = messageCatalogue(language);
  return key in catalogue ? formatMessage(catalogue[key as MessageKey], language) : operation.replace(/_/g, " ");
}

/**
 * What a code approves, in words: the operation and the request's shown fields, so the text
 * names the amount and payee the user is about to approve (PSD2 "dynamic linking"), labelled
 * and formatted as the page shows them (`shownField`). The fields come with control, bidi and
 * invisible characters drawn visibly, never as line breaks (`displayedFields`).
 * @example
 * describeApproval("en", { operation: "withdraw", approving: [{ field: "amount", value: "10" }] }) // "withdrawal (amount 10)"
 */
export function describeApproval(language: Language, approval: Approval, overrides: TextOverrides = {}): string {
  const words = messageWords(language, overrides);
  const operation = operationLabel(language, approval.operation, overrides);
  if (approval.approving.length === 0) return operation;
  const fields = approval.approving
    .map((f) => shownField(f, language))
    .map(({ label, shown }) => `${label} ${shown}`)
    .join(words("code.listSeparator"));
  return words("code.approval", { operation, fields });
}

/**
 * The message for a code in `language`.
 * @example
 * codeMessage("en", "sms", { tenant: "Acme", code: "123456", ttlSeconds: 300, approval: null })
 */
export function codeMessage(
  language: Language,
  channel: "sms" | "email",
  params: CodeMessageParams,
  overrides: TextOverrides = {},
): { subject: string | null; text: string } {
  const words = messageWords(language, overrides);
  const approves = params.approval ? describeApproval(language, params.approval, overrides) : null;
  const minutes = Math.round(params.ttlSeconds / 60);
  const values = { tenant: params.tenant, code: params.code, approves: approves ?? "" };
  if (channel === "sms") {
    const duration = formatDuration(minutes, "minute", language, "short");
    return { subject: null, text: words(approves ? "code.smsApproving" : "code.sms", { ...values, duration }) };
  }
  const duration = formatDuration(minutes, "minute", language);
  const text = [
    words("code.emailIntro", values),
    "",
    `    ${params.code}`,
    "",
    approves ? words("code.emailApproves", values) : words("code.emailConfirm"),
    words("code.emailExpires", { duration }),
    "",
    words("code.emailWarning", values),
  ].join("\n");
  // A subject is one header line: no line break may ever reach it (header injection).
  return { subject: words("code.emailSubject", values).replace(/[\r\n]+/g, " "), text };
}
