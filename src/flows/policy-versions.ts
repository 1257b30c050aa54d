/**
 * @module
 * Reading the policy's history for the console: the versions written since an admin loaded a
 * form (what another admin changed meanwhile), and the version that last turned 2FA on or off
 * or changed its enforcement (who, for the settings' status line).
 */
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import { POLICY_VERSIONS_KEPT } from "../state/tenant/policy-history";
import type { PolicyVersion } from "../state/tenant/views";

/** Versions read per call to the tenant's object while walking back through the history. */
const VERSIONS_PER_READ = 50;

/** The versions after the one an admin loaded, oldest first; `known: false` when that one is no longer kept (then every kept version is listed). */
export interface VersionsSince {
  versions: PolicyVersion[];
  known: boolean;
}

/**
 * The versions written after the one with `etag`.
 * @example
 * const { versions } = await versionsSince(env, tenantId, loadedEtag); // what the other admin did
 */
export async function versionsSince(env: Env, tenantId: string, etag: string): Promise<VersionsSince> {
  const newer: PolicyVersion[] = [];
  const found = await walkHistory(env, tenantId, (version) => {
    if (version.etag === etag) return true;
    newer.push(version);
    return false;
  });
  return { versions: newer.reverse(), known: found !== null };
}

/** Who last changed `enabled` or `enforcement`, and when: the newest version that dated the change. */
export interface EnforcementChange {
  actor: string;
  at: string;
}

/**
 * The version that set the policy's current `enforcementChangedAt` (stepgate dates every change
 * of `enabled` or `enforcement`, see `withEnforcementDates`); `null` when none kept did.
 * @example
 * await lastEnforcementChange(env, tenantId) // { actor: "user:alice", at: "2026-11-02T14:00:00.000Z" }
 */
export async function lastEnforcementChange(env: Env, tenantId: string): Promise<EnforcementChange | null> {
  const version = await walkHistory(env, tenantId, (v) => v.changes.some((change) => change.path === "/enforcementChangedAt" && change.to !== undefined));
  return version ? { actor: version.actor, at: version.at } : null;
}

/** The first version, newest first, that `stop` accepts; `null` when no kept version does. */
async function walkHistory(env: Env, tenantId: string, stop: (version: PolicyVersion) => boolean): Promise<PolicyVersion | null> {
  const tenant = tenantState(env, tenantId);
  let before: number | null = null;
  for (let read = 0; read < POLICY_VERSIONS_KEPT; read += VERSIONS_PER_READ) {
    const page: PolicyVersion[] = await reachState(() => tenant.policyHistory(VERSIONS_PER_READ, before));
    for (const version of page) if (stop(version)) return version;
    if (page.length < VERSIONS_PER_READ) return null;
    before = page.at(-1)!.version;
  }
  return null;
}
