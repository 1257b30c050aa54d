/**
 * @module
 * What stepgate takes for an email address it may send to: one plain addr-spec (`local@domain`)
 * as zod's `email()` reads it — ASCII letters, digits and `_'+-.` before the `@`, a dotted
 * domain after — at most 254 characters, the local part at most 64 (RFC 5321). No display name,
 * quotes, spaces, `<>`, `,`, `;` or line breaks: each could make one recipient several, or
 * one header line two, in the SMTP conversation or a provider's API.
 */
import * as z from "zod";

/** Longest local part an SMTP server must accept (RFC 5321 §4.5.3.1.1). */
const MAX_LOCAL_PART_CHARS = 64;

/**
 * @example
 * EmailAddress.safeParse("ann@acme.test").success // true
 * EmailAddress.safeParse("ann@acme.test>\r\nRCPT TO:<eve@evil.test").success // false
 */
export const EmailAddress = z
  .email()
  .max(254)
  .refine((address) => address.indexOf("@") <= MAX_LOCAL_PART_CHARS, `a local part of at most ${MAX_LOCAL_PART_CHARS} characters`);

/**
 * Whether `value` is an address by {@link EmailAddress}.
 * @example
 * isEmailAddress("owner@home.test, eve@evil.test") // false
 */
export function isEmailAddress(value: unknown): value is string {
  // Anything but a string fails the schema's first check anyway; a session without an email
  // claim (most portals' on every request) need not pay for zod building its error.
  return typeof value === "string" && EmailAddress.safeParse(value).success;
}
