/**
 * @module
 * A protected operation in the policy: the routes it claims, how long a verification of it
 * stays fresh, and whether its grant approves one exact request.
 */
import * as z from "zod";
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
  bindRequest: z
    .boolean()
    .optional()
    .describe(
      `The grant approves this exact request only (method, path, canonical body), once. When unset: on for ${[...BOUND_BY_DEFAULT].map((name) => `\`${name}\``).join(", ")}, off for the rest.`,
    ),
  display: z
    .array(z.string().min(1).max(200))
    .max(20)
    .default([])
    .describe("Request fields shown while the user approves it: form fields or top-level JSON keys (`amount`), or JSON pointers (`/to/iban`)."),
});

export const OPERATION_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Whether a grant for this operation approves one exact request. */
export function bindsRequest(name: string, operation: Pick<Operation, "bindRequest">): boolean {
  return operation.bindRequest ?? BOUND_BY_DEFAULT.has(name);
}

export type Operation = z.infer<typeof OperationSchema>;
