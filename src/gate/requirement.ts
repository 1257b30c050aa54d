/**
 * @module
 * Whether a user must prove a second factor for a protected operation: a pure function of the
 * policy, the user's session and their stored status.
 */
import { ADMIN_CONSOLE, type Policy } from "../config/policy-schema";
import type { UserStatus } from "../state/user";
import type { Identity } from "./identity";

export type Requirement = "pass" | "step_up" | "enroll";

/**
 * `step_up` for every enrolled user; for the rest, `enroll` when 2FA is required of them and
 * `pass` when it is optional. Required means, in order: a group in `requiredGroups` (always
 * wins), else an admin's per-user decision, else `enforcement: "required"`. An admin's `false`
 * is a deliberate, audited exemption and holds under `required` enforcement too.
 *
 * `admin_console` is the exception: it is required of everyone, always. This is where the
 * console's second factor is forced on: the policy's `enabled`, `enforcement` and per-user
 * exemptions only decide for the portal's operations, and an exempted or unenrolled admin
 * must not reach the console (which could lift their own exemption) with a password alone.
 * @example
 * stepUpRequirement(policy, identity, await user.status(), "withdraw") // "enroll"
 */
export function stepUpRequirement(policy: Policy, identity: Identity, status: UserStatus, operation: string): Requirement {
  if (status.factors.length > 0) return "step_up";
  if (operation === ADMIN_CONSOLE) return "enroll";
  return isRequired(policy, identity, status) ? "enroll" : "pass";
}

/** Whether 2FA is required of this user (and so they may not go without a factor). */
export function isRequired(policy: Policy, identity: Identity, status: Pick<UserStatus, "requiredByAdmin">): boolean {
  if (identity.groups.some((group) => policy.requiredGroups.includes(group))) return true;
  if (status.requiredByAdmin !== null) return status.requiredByAdmin;
  return policy.enforcement === "required";
}
