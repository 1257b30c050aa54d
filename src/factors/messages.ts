/**
 * @module
 * The words of the texts and emails that carry a code. They hold only the code, the tenant's
 * name, how long it lasts and what it approves — never a link, so a phishing copy has nothing
 * to imitate. One dictionary per language; a language without one falls back to English.
 */

export interface CodeMessageParams {
  tenant: string;
  code: string;
  minutes: number;
  /** What the code approves (the operation), when it answers a challenge. */
  approves: string | null;
}

interface Dictionary {
  sms(p: CodeMessageParams): string;
  emailSubject(p: CodeMessageParams): string;
  emailText(p: CodeMessageParams): string;
}

const en: Dictionary = {
  sms: (p) => `${p.code} is your ${p.tenant} code${p.approves ? ` to approve: ${p.approves}` : ""}. It expires in ${p.minutes} min. Never share it.`,
  emailSubject: (p) => `${p.tenant} verification code: ${p.code}`,
  emailText: (p) =>
    [
      `Your ${p.tenant} verification code is:`,
      "",
      `    ${p.code}`,
      "",
      p.approves ? `It approves: ${p.approves}.` : "Use it to confirm it's you.",
      `It expires in ${p.minutes} minutes and works once.`,
      "",
      `If you did not ask for this code, someone may know your password: change it, and do not share this code with anyone — ${p.tenant} will never ask you for it.`,
    ].join("\n"),
};

const DICTIONARIES: Record<string, Dictionary> = { en };

/**
 * What a code approves, in words: the operation and the request's shown fields, so the text
 * names the amount and payee the user is about to approve (PSD2 "dynamic linking"). The fields
 * come with control, bidi and invisible characters drawn visibly, never as line breaks
 * (`displayedFields`).
 * @example
 * describeApproval("withdraw", [{ field: "amount", value: "10" }, { field: "to", value: "ACC-9" }]) // "withdraw (amount 10, to ACC-9)"
 */
export function describeApproval(operation: string, approving: ReadonlyArray<{ field: string; value: string }>): string {
  const words = operation.replace(/_/g, " ");
  return approving.length > 0 ? `${words} (${approving.map((f) => `${f.field} ${f.value}`).join(", ")})` : words;
}

/**
 * The message for a code in `language` (`en`, `en-GB`, … — the base language is used).
 * @example
 * codeMessage("en", "sms", { tenant: "Acme", code: "123456", minutes: 5, approves: "withdraw" })
 */
export function codeMessage(language: string, channel: "sms" | "email", params: CodeMessageParams): { subject: string | null; text: string } {
  const dictionary = DICTIONARIES[language.split("-")[0]!] ?? en;
  if (channel === "sms") return { subject: null, text: dictionary.sms(params) };
  // A subject is one header line: no line break may ever reach it (header injection).
  return { subject: dictionary.emailSubject(params).replace(/[\r\n]+/g, " "), text: dictionary.emailText(params) };
}
