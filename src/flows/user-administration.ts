/**
 * @module
 * What an admin sees of one user and does to them, for the API and the console alike: the
 * details (directory entry, factors, devices, lock, requirement, recent activity), reset,
 * unlock, the per-user requirement, and revoking a trusted device. Each action is the user's
 * object's own (which checks and audits it with the admin as actor), then its new status and
 * audit entries are copied to the tenant's object at once (`fresh-user-records.ts`), so the
 * admin sees their change in the directory and the audit trail.
 */
import type { TenantConfig } from "../config/tenant-config";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { DirectoryEntry } from "../state/tenant/views";
import { type UserDetails, userState } from "../state/user";
import type { AuditEntry, RequestOrigin } from "../state/user/audit";
import { enrollmentEpochOf } from "./user-directory";
import { storeFreshUserRecords } from "./fresh-user-records";

/** Recent audit entries shown with a user's details; the full trail is `GET /audit?user=`. */
export const RECENT_ACTIVITY = 20;

/** Who acts, as the audit trail records them, and where the request came from. */
export interface AdminAct {
  actor: string;
  origin: RequestOrigin;
}

export interface UserOverview {
  /** The user's row in the directory; `null` until it reached the tenant's object. */
  entry: DirectoryEntry | null;
  details: UserDetails;
  recentActivity: AuditEntry[];
}

/**
 * One user as an admin sees them, or `null` for a user stepgate has not seen.
 * @example
 * const user = await userOverview(env, c.var.tenant, "alice");
 */
export async function userOverview(env: Env, tenant: TenantConfig, userId: string): Promise<UserOverview | null> {
  const user = userState(env, tenant.tenantId, userId);
  const details = await reachState<UserDetails | null>(() => user.details(enrollmentEpochOf(tenant)));
  if (!details) return null;
  await storeFreshUserRecords(env, tenant.tenantId, user);
  const [entry, recentActivity] = await Promise.all([
    reachState(() => tenantState(env, tenant.tenantId).directoryEntry(userId) as Promise<DirectoryEntry | null>),
    reachState<AuditEntry[]>(() => user.audit(RECENT_ACTIVITY, null)),
  ]);
  return { entry, details, recentActivity };
}

/**
 * Whether stepgate has seen the user. The console checks before an unlock, a requirement or a
 * device revocation (which would otherwise start a record for an id no one has used).
 */
export function userKnown(env: Env, tenantId: string, userId: string): Promise<boolean> {
  return reachState(() => userState(env, tenantId, userId).isKnown());
}

/**
 * Removes every factor, backup code and trusted device of this one user (they enrol again);
 * `null` for a user stepgate has not seen, who is not added by trying.
 * @example
 * const reset = await resetUser(env, tenantId, "alice", { actor: "user:admin", origin });
 */
export async function resetUser(env: Env, tenantId: string, userId: string, act: AdminAct): Promise<{ factorsRemoved: number } | null> {
  const user = userState(env, tenantId, userId);
  const reset = await reachState<{ factorsRemoved: number } | null>(() => user.reset(act.origin, act.actor));
  if (reset) await storeFreshUserRecords(env, tenantId, user);
  return reset;
}

/** Ends the user's lockout after wrong codes; says whether one was running. */
export async function unlockUser(env: Env, tenantId: string, userId: string, act: AdminAct): Promise<{ wasLocked: boolean }> {
  const user = userState(env, tenantId, userId);
  const unlocked = await reachState<{ wasLocked: boolean }>(() => user.unlock(act.origin, act.actor));
  await storeFreshUserRecords(env, tenantId, user);
  return unlocked;
}

/** Requires 2FA of the user (`true`), exempts them (`false`) or lets the policy decide (`null`). */
export async function setUserRequirement(env: Env, tenantId: string, userId: string, required: boolean | null, act: AdminAct): Promise<void> {
  const user = userState(env, tenantId, userId);
  await reachState(() => user.setRequirement(required, act.origin, act.actor));
  await storeFreshUserRecords(env, tenantId, user);
}

/** Stops trusting one of the user's devices; `false` when they have no trusted device with this id. */
export async function revokeUserDevice(env: Env, tenantId: string, userId: string, deviceId: string, act: AdminAct): Promise<boolean> {
  const user = userState(env, tenantId, userId);
  const removed = await reachState<boolean>(() => user.revokeDevice(deviceId, act.origin, act.actor));
  if (removed) await storeFreshUserRecords(env, tenantId, user);
  return removed;
}
