/**
 * @module
 * Restoring a version of the policy's history: what it would change against the current policy,
 * and the write itself, an ordinary policy write (`storePolicy`: validated, audited with the
 * admin as actor, recorded as a new version, compare-and-swap against the version the admin saw).
 * Each version's whole text is kept with it (`policy_versions.text`), so a restore is that text.
 */
import { policyChanges } from "../config/policy-diff";
import { PolicySchema } from "../config/policy-schema";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { StoredPolicy } from "../state/tenant/policy-history";
import type { PolicyChange, PolicyVersion } from "../state/tenant/views";
import { parsedOrNull, type PolicyWriter, type StoredWrite, storePolicy, withEnforcementDates } from "./policy-write";

/** What restoring a version would do, against the policy as it is now. */
export interface RestorePreview {
  version: PolicyVersion;
  /** The current policy's ETag, which the restore must still find. */
  currentEtag: string;
  /** Current → restored, secrets hidden; empty when the version is the current policy. */
  changes: PolicyChange[];
}

/**
 * @example
 * const preview = await restorePreview(env, tenantId, 3); // { version, currentEtag, changes: [{ path: "/enforcement", from: "required", to: "optional" }] }
 */
export async function restorePreview(env: Env, tenantId: string, version: number): Promise<RestorePreview> {
  const { kept, current } = await versionAndCurrent(env, tenantId, version);
  const { text, ...shown } = kept;
  const candidate = parsedOrNull(text);
  const valid = PolicySchema.safeParse(candidate);
  // As `storePolicy` would store it: the dates stepgate manages follow the current policy.
  const restored = valid.success ? withEnforcementDates(current.text, valid.data, new Date()) : candidate;
  return { version: shown, currentEtag: current.etag, changes: policyChanges(parsedOrNull(current.text), restored) };
}

/**
 * Writes `version` back as the policy, if the current policy is still the one with
 * `expectedEtag`. Throws 404 `not_found` for a version no longer kept, 412 `precondition_failed`
 * when the policy changed since the admin looked, 422 when today's rules refuse the version.
 * @example
 * await restorePolicyVersion(env, tenantId, 3, preview.currentEtag, { actor: "user:ann", origin });
 */
export async function restorePolicyVersion(env: Env, tenantId: string, version: number, expectedEtag: string, writer: PolicyWriter): Promise<StoredWrite> {
  const { kept, current } = await versionAndCurrent(env, tenantId, version);
  if (current.etag !== expectedEtag) {
    throw new ProblemError(412, "precondition_failed", "The policy changed since this restore was shown; look at it again.", { etag: current.etag });
  }
  const candidate = parsedOrNull(kept.text);
  const restoring = PolicySchema.safeParse(candidate);
  // The version comes from this tenant's own history, never from the request: its sealed
  // credentials may go back to the destinations they were kept with there.
  return storePolicy(env, tenantId, current, candidate, writer, { restoring: restoring.success ? restoring.data : undefined });
}

async function versionAndCurrent(env: Env, tenantId: string, version: number): Promise<{ kept: PolicyVersion & { text: string }; current: StoredPolicy }> {
  const tenant = tenantState(env, tenantId);
  const current = await reachState(() => tenant.currentPolicy());
  const kept = await reachState(() => tenant.policyVersion(version));
  if (!kept) throw new ProblemError(404, "not_found", `Version ${version} of the policy is not kept.`);
  if (!current) throw new ProblemError(404, "policy_not_found", `Tenant ${tenantId} has no policy now.`);
  return { kept, current };
}
