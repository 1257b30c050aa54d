/**
 * @module
 * The policy's `admins`: who may open the admin console (`/__stepgate/admin/`) and what they may
 * do there. Portal admins are recognised by their session's groups claim, each group mapped to
 * admin scopes (the admin API's scopes); the console always asks them for a fresh second factor
 * (operation `admin_console`). A tenant API key may open a console session too, unless turned off.
 */
import * as z from "zod";

/**
 * What an admin (a tenant API key, or a portal admin in the console) may do. `keys:write` manages
 * keys, and only up to its own scopes; `webhooks:write` manages where the tenant's events are posted.
 */
export const AdminScope = z.enum(["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write", "webhooks:write"]);
export type AdminScope = z.infer<typeof AdminScope>;
export const ALL_SCOPES: readonly AdminScope[] = AdminScope.options;

/** Fresh within this long by default: a console left open in a shared office asks again after 15 minutes. */
export const ADMIN_MAX_AGE_SECONDS = 900;

export const AdminsSchema = z
  .strictObject({
    groups: z
      .record(
        z.string().min(1).max(200).describe("A group in the portal session's groups claim (`identity.claims.groups`)."),
        z.array(AdminScope).min(1).max(AdminScope.options.length),
      )
      .default({})
      .describe(
        'Portal groups that make their members console admins, each with its scopes: `{ "security_admin": ["policy:read", "policy:write", "users:read", "users:write", "audit:read", "keys:write", "webhooks:write"], "support": ["users:read", "users:write", "audit:read"] }`. A member of several groups holds every scope of each. Scopes: `policy:read`, `policy:write`, `users:read`, `users:write`, `audit:read`, `keys:write`, `webhooks:write`.',
      ),
    maxAgeSeconds: z
      .int()
      .min(60)
      .max(43_200)
      .default(ADMIN_MAX_AGE_SECONDS)
      .describe(
        "How long a portal admin's second factor stays fresh for the console, in seconds; then the console asks again. The console always asks, whatever `enabled` and `enforcement` say, and an admin with no factor enrols one first.",
      ),
    keySignIn: z
      .boolean()
      .default(true)
      .describe(
        "Whether a tenant API key (or the deployment's bootstrap key) may open a console session at `/__stepgate/admin/sign-in`: for the first setup, and for tenants whose admins are not portal users. Turn it off once portal admins run the console.",
      ),
  })
  .prefault({})
  .describe("The admin console: which portal groups are admins, with which scopes, and whether API keys may sign in to it.");

export type AdminsSettings = z.infer<typeof AdminsSchema>;

/**
 * The scopes a portal user's groups give them in the console (each group's, together), sorted;
 * empty for a user in no admin group.
 * @example
 * consoleScopes({ groups: { support: ["users:read"] }, … }, ["support", "staff"]) // ["users:read"]
 */
export function consoleScopes(admins: Pick<AdminsSettings, "groups">, groups: readonly string[]): AdminScope[] {
  const held = new Set<AdminScope>();
  // `Object.hasOwn`: a group named `__proto__` or `constructor` must not reach the prototype.
  for (const group of groups) if (Object.hasOwn(admins.groups, group)) for (const scope of admins.groups[group]!) held.add(scope);
  return ALL_SCOPES.filter((scope) => held.has(scope));
}

/**
 * The scopes of `wanted` that `held` lacks. An admin may give a key, or revoke a key holding,
 * only scopes they hold themselves: no admin can make or remove a stronger one.
 * @example
 * scopesBeyond(["keys:write", "users:read"], ["users:read", "policy:write"]) // ["policy:write"]
 */
export function scopesBeyond(held: readonly AdminScope[], wanted: readonly AdminScope[]): AdminScope[] {
  return wanted.filter((scope) => !held.includes(scope));
}
