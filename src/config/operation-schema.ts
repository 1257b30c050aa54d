/**
 * @module
 * A protected operation in the policy: the routes it claims, how long a verification of it
 * stays fresh, and whether its grant approves one exact request.
 */
import * as z from "zod";
import { LANGUAGES } from "./languages";
import { routeCompiles } from "./route-pattern";

/**
 * `METHOD /path` where METHOD is an HTTP method, several joined by `|`, or `*` for any; the
 * path uses `:param` and `*`. Hono's regex and optional parameters (`{…}`, `?`) are left out:
 * a pattern that cannot compile must never reach the router.
 */
const ROUTE_PATTERN = /^(\*|[A-Z]+(\|[A-Z]+)*) (\/[^\s{}?]*)$/;

const RoutePattern = z
  .string()
  .regex(ROUTE_PATTERN, 'a route is "METHOD /path" (METHOD may be *, or several joined by |; no {regex} or ? in the path)')
  .refine(routeCompiles, "this route cannot be compiled");

/** The operation that guards a whole portal session once there is one: its verifications are sign-ins. */
export const LOGIN = "login";

/** Operations bound to the exact request unless the policy says otherwise: money movement and account takeover (PSD2 "dynamic linking"). */
export const BOUND_BY_DEFAULT: ReadonlySet<string> = new Set([
  "deposit",
  "withdraw",
  "transfer",
  "prop_challenge_fee",
  "trading_competition_fee",
  "change_password",
  "update_email",
]);

/** A request field: a form field or top-level JSON key (`amount`), or a JSON pointer (`/to/iban`). */
const FieldName = z.string().min(1).max(200);

/** A label is the tenant's own words on the page and in the text: one line, no control characters. */
const LabelText = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]+$/u, "a label is one line of text");

export const DisplayFormatSchema = z
  .enum(["text", "money", "iban", "account", "number"])
  .describe(
    "`text` as sent; `money` a decimal amount in the page's language with the currency `currencyField` names (`1.234,56 €`); `iban` and `account` in blocks of 4; `number` a decimal number in the page's language. A value that does not fit its format is shown as sent.",
  );

export const DisplayEntrySchema = z
  .strictObject({
    field: FieldName.describe("The request field shown: a form field or top-level JSON key (`amount`), or a JSON pointer (`/to/iban`)."),
    label: z
      .union([LabelText, z.partialRecord(z.enum(LANGUAGES), LabelText)])
      .optional()
      .describe(
        'What the field is called on the page and in the code\'s text: one text, or one per language (`{ "en": "Amount", "de": "Betrag" }`). The field\'s name when unset.',
      ),
    format: DisplayFormatSchema.default("text"),
    currencyField: FieldName.optional().describe(
      "For `money`: the request field holding the ISO 4217 currency code (`currency`). Without it, or when the request's code is not three capital letters, the amount is shown as sent.",
    ),
    required: z
      .boolean()
      .default(false)
      .describe(
        "Whether the request must carry the field: one without it is refused (400 `display_field_missing`) before a challenge is opened. Otherwise an absent field is left out.",
      ),
  })
  .refine((entry) => entry.currencyField === undefined || entry.format === "money", {
    message: "currencyField is for the money format",
    path: ["currencyField"],
  });

/** An `acr` label: RFC 9470's `acr_values` is a space-separated list in a quoted string, so one value has no space, quote or backslash. */
const ACR_LABEL = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

export const OperationSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("Whether the operation is protected."),
  routes: z
    .array(RoutePattern)
    .max(100)
    .describe("`METHOD /path` patterns the operation claims: `*` for any method, several joined by `|`, Hono path syntax (`:param`, `*`)."),
  exempt: z.array(RoutePattern).max(100).default([]).describe("Routes the operation does not claim even though `routes` match them."),
  formatSuffixes: z
    .boolean()
    .optional()
    .describe("Whether a route ending in a literal segment also claims its `.format` suffixes (`/api/withdraw.json`, as Rails routes it). On when unset."),
  maxAge: z.int().min(0).max(86_400).default(300).describe("How long a verification stays fresh, in seconds; `0` means a proof for every request."),
  acr: z
    .string()
    .regex(ACR_LABEL, "a label of 1 to 64 printable ASCII characters, without spaces, quotes or backslashes")
    .optional()
    .describe(
      "The authentication context class this operation asks for (`urn:acme:payments`), when the portal uses one: told to OAuth-style clients as `acr_values` in the step-up 401 (RFC 9470), and to the origin as `acr` in the assurance of a request that stepped up for it.",
    ),
  bindRequest: z
    .boolean()
    .optional()
    .describe(
      `The grant approves this exact request only (method, path, canonical body), once. When unset: on for ${[...BOUND_BY_DEFAULT].map((name) => `\`${name}\``).join(", ")}, off for the rest.`,
    ),
  display: z
    .array(z.union([FieldName, DisplayEntrySchema]))
    .max(20)
    .default([])
    .describe(
      "Request fields shown while the user approves it: a field's name (a form field or top-level JSON key, `amount`, or a JSON pointer, `/to/iban`), shown as sent, or an entry with its label and format.",
    ),
});

export const OPERATION_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * stepgate's own operation for opening the admin console: not in `operations` (a tenant cannot
 * name, relax or route it), always asked for, fresh for `admins.maxAgeSeconds` (see `requirement.ts`).
 */
export const ADMIN_CONSOLE = "admin_console";

/** Whether a grant for this operation approves one exact request. */
export function bindsRequest(name: string, operation: Pick<Operation, "bindRequest">): boolean {
  return operation.bindRequest ?? BOUND_BY_DEFAULT.has(name);
}

export type Operation = z.infer<typeof OperationSchema>;
export type DisplayEntry = z.infer<typeof DisplayEntrySchema>;
export type DisplayFormat = z.infer<typeof DisplayFormatSchema>;

/**
 * An operation's `display` entry as an object: a plain name is that field, shown as sent.
 * @example
 * displayEntry("amount") // { field: "amount", format: "text", required: false }
 */
export function displayEntry(entry: Operation["display"][number]): DisplayEntry {
  return typeof entry === "string" ? { field: entry, format: "text", required: false } : entry;
}

/**
 * Every request field the user sees while approving: each entry's field and the currency field
 * a money amount is shown with. What the ambiguity checks must hold to (see `request-ambiguity`).
 * @example
 * displayedNames([{ field: "amount", format: "money", currencyField: "currency", required: true }]) // ["amount", "currency"]
 */
export function displayedNames(display: Operation["display"]): string[] {
  const names = display.flatMap((entry) => {
    const { field, currencyField } = displayEntry(entry);
    return currencyField === undefined ? [field] : [field, currencyField];
  });
  return [...new Set(names)];
}
