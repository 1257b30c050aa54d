/**
 * @module
 * Every policy version the admin API wrote, in the tenant's Durable Object: who, when, the
 * ETag, what changed, and the whole text (so a version can be restored). The newest version's text is what the admin API compares `If-Match`
 * against (see `TenantState.writePolicy`).
 */
import type { PolicyChange, PolicyVersion } from "./views";
import { sha256Hex } from "../../lib/crypto";
import { iso } from "../../lib/iso-time";

/** Versions kept per tenant; older ones are dropped. */
export const POLICY_VERSIONS_KEPT = 200;

export type StoredPolicy = {
  text: string;
  etag: string;
  /** When this version was written (ms). */
  at: number;
};

/** The strong ETag of a stored policy text. */
export async function policyEtag(text: string): Promise<string> {
  return `"${(await sha256Hex(text)).slice(0, 32)}"`;
}

export function latestPolicy(sql: SqlStorage): StoredPolicy | null {
  return sql.exec<StoredPolicy>("SELECT text, etag, at FROM policy_versions ORDER BY version DESC LIMIT 1").toArray()[0] ?? null;
}

export function recordPolicyVersion(sql: SqlStorage, version: { text: string; etag: string; actor: string; changes: PolicyChange[] }, now: number): void {
  const { version: number } = sql
    .exec<{ version: number }>(
      "INSERT INTO policy_versions (at, actor, etag, text, changes) VALUES (?, ?, ?, ?, ?) RETURNING version",
      now,
      version.actor,
      version.etag,
      version.text,
      JSON.stringify(version.changes),
    )
    .one();
  sql.exec("DELETE FROM policy_versions WHERE version <= ?", number - POLICY_VERSIONS_KEPT);
}

/** Whether `etag` is one of the versions kept (so KV showing it now is a stale read). */
export function isEarlierVersion(sql: SqlStorage, etag: string): boolean {
  return sql.exec("SELECT 1 FROM policy_versions WHERE etag = ? LIMIT 1", etag).toArray().length > 0;
}

/** One kept version with its whole text (what restoring it would store), or `null` once it is no longer kept. */
export function policyVersionText(sql: SqlStorage, version: number): (PolicyVersion & { text: string }) | null {
  const row = sql
    .exec<{ version: number; at: number; actor: string; etag: string; text: string; changes: string }>(
      "SELECT version, at, actor, etag, text, changes FROM policy_versions WHERE version = ?",
      version,
    )
    .toArray()[0];
  return row ? { ...versionOf(row), text: row.text } : null;
}

/** A kept version by its ETag, or `null` when no kept version has it. */
export function keptPolicyVersion(sql: SqlStorage, etag: string): StoredPolicy | null {
  return sql.exec<StoredPolicy>("SELECT text, etag, at FROM policy_versions WHERE etag = ? ORDER BY version DESC LIMIT 1", etag).toArray()[0] ?? null;
}

/** Newest first, `limit` versions older than `before` (all when `null`). */
export function listPolicyVersions(sql: SqlStorage, limit: number, before: number | null): PolicyVersion[] {
  return sql
    .exec<{ version: number; at: number; actor: string; etag: string; changes: string }>(
      "SELECT version, at, actor, etag, changes FROM policy_versions WHERE version < ? ORDER BY version DESC LIMIT ?",
      before ?? Number.MAX_SAFE_INTEGER,
      limit,
    )
    .toArray()
    .map(versionOf);
}

function versionOf(row: { version: number; at: number; actor: string; etag: string; changes: string }): PolicyVersion {
  return { version: row.version, at: iso(row.at), actor: row.actor, etag: row.etag, changes: JSON.parse(row.changes) as PolicyChange[] };
}
