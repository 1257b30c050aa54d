/**
 * @module
 * The addresses a user enrols for codes, as the user API and the hosted pages both read them:
 * a phone number normalised to E.164, an email address in lower case.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js";
import * as z from "zod";

/** A phone number in international form, normalised to E.164 by libphonenumber-js. */
export const PhoneNumber = z
  .string()
  .max(32)
  .transform((input, ctx) => {
    const parsed = parsePhoneNumberFromString(input.trim());
    if (!parsed?.isValid()) {
      ctx.addIssue({ code: "custom", message: "a valid phone number in international form, like +14155552671" });
      return z.NEVER;
    }
    return parsed.number;
  });

export const EnrollPhoneBody = z.strictObject({ phone: PhoneNumber });
export const EnrollEmailBody = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
});
