/**
 * @module
 * A field of a request the user approves, as stored with its challenge, and as one language
 * shows it: its label and its value in its format. The page, the challenge JSON and the code's
 * text or email all show it through {@link shownField}, so they say the same.
 */
import * as z from "zod";
import type { Language } from "../config/languages";
import { DisplayFormatSchema } from "../config/operation-schema";
import { formatExactDecimal, inBlocksOfFour } from "../lib/exact-number";

export const ApprovedField = z.object({
  /** The field's name as the policy gives it (`amount`, `to.iban` for `/to/iban`). */
  field: z.string(),
  /** The value as sent, with every unseen character drawn visibly (`displayedFields`). */
  value: z.string(),
  /** The policy's label: one text, or one per language. */
  label: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  /** The policy's format; text when unset (a challenge opened before formats were stored). */
  format: DisplayFormatSchema.optional(),
  /** For `money`: the currency code the request sent, as sent. */
  currency: z.string().optional(),
});
export type ApprovedField = z.infer<typeof ApprovedField>;

/**
 * `field` as `language` shows it: its label (the policy's, in this language, else in English,
 * else the field's name) and its value in its format, or as sent when it does not fit it.
 * @example
 * shownField({ field: "amount", value: "1234.5", format: "money", currency: "EUR", label: { de: "Betrag" } }, "de")
 * // { label: "Betrag", shown: "1.234,5 €" }
 */
export function shownField(field: ApprovedField, language: Language): { label: string; shown: string } {
  return { label: labelIn(field, language), shown: formatted(field, language) ?? field.value };
}

function labelIn({ label, field }: ApprovedField, language: Language): string {
  if (typeof label === "string") return label;
  return label?.[language] ?? label?.en ?? field;
}

function formatted({ value, format, currency }: ApprovedField, language: Language): string | null {
  switch (format) {
    case "money":
      return currency === undefined ? null : formatExactDecimal(value, language, currency);
    case "number":
      return formatExactDecimal(value, language);
    case "iban":
    case "account":
      return inBlocksOfFour(value);
    default:
      return null;
  }
}
