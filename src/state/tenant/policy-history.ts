/**
 * @module
 * Every policy version the admin API wrote, in the tenant's Durable Object: who, when, the
 * ETag, what changed, and the whole text (so a version can be restored). The newest version's
 * text is what the admin API compares `If-Match` against ({@link writePolicy}); a text found in
 * KV that no version has (written outside the API) is adopted as a version of its own
 * ({@link reconciledPolicy}).
 */
import type { PolicyChange, PolicyVersion } from "./views";
import { kvKeys } from "../../config/kv-keys";
import { policyChanges } from "../../config/policy-diff";
import { sha256Hex } from "../../lib/crypto";
import { iso } from "../../lib/iso-time";
import type { RequestOrigin } from "../user/audit";
import type { TenantContext } from "./context";

/** Versions kept per tenant; older ones are dropped. */
export const POLICY_VERSIONS_KEPT = 200;

/**
 * How long KV may take to show a write everywhere. Within this time of its own write, a KV read
 * showing an earlier version (or nothing) is taken as stale; any other text in KV was written
 * outside the admin API (a deploy script, `wrangler kv`, `npm run dev` seeding) and is adopted
 * as a version of its own.
 */
const KV_PROPAGATION_MS = 60_000;

/** What a conditional policy write expects to replace: a version by ETag, or nothing at all. */
export type PolicyExpectation = { etag: string } | { nothing: true };

export type PolicyWrite = { ok: true; etag: string; created: boolean } | { ok: false; currentEtag: string | null };

export type StoredPolicy = {
  text: string;
  etag: string;
  /** When this version was written (ms). */
  at: number;
};

/**
 * Stores `text` as the policy if the current one is still the one the caller read (compare and
 * swap: the caller runs writes one after another), and keeps the version with what changed,
 * audited as the admin's.
 * @example
 * await writePolicy(tenant, { expected: { etag }, text, actor: "key:0123456789abcdef", origin }, Date.now()) // { ok: true, etag, created: false }
 */
export async function writePolicy(
  tenant: TenantContext,
  input: { expected: PolicyExpectation; text: string; actor: string; origin: RequestOrigin },
  now: number,
): Promise<PolicyWrite> {
  const current = await reconciledPolicy(tenant, now);
  const matches = "nothing" in input.expected ? current === null : current?.etag === input.expected.etag;
  if (!matches) return { ok: false, currentEtag: current?.etag ?? null };
  await tenant.env.POLICY.put(kvKeys.policy(tenant.tenantId), input.text);
  const etag = await policyEtag(input.text);
  const changes = policyChanges(parsed(current?.text), parsed(input.text));
  recordPolicyVersion(tenant.sql, { text: input.text, etag, actor: input.actor, changes }, now);
  tenant.record(now, "policy.changed", input.actor, input.origin, { etag, changes: changes.length });
  return { ok: true, etag, created: current === null };
}

/**
 * The tenant's current policy text and ETag (`null`: none): the newest version, or what KV
 * shows when that was written outside the API (kept as a version, audited as `kv`'s).
 * @example
 * await reconciledPolicy(tenant, Date.now()) // { text, etag, at }
 */
export async function reconciledPolicy(tenant: TenantContext, now: number): Promise<StoredPolicy | null> {
  const { sql } = tenant;
  const latest = latestPolicy(sql);
  const kvText = await tenant.env.POLICY.get(kvKeys.policy(tenant.tenantId));
  if (latest && kvText === latest.text) return latest;
  const etag = kvText === null ? null : await policyEtag(kvText);
  // Shortly after a write, KV may still show what was there before it (nothing, or an earlier
  // version): that is a stale read, not a change. Anything else is a write made outside the API.
  const settling = latest !== null && now - latest.at < KV_PROPAGATION_MS;
  if (settling && (etag === null || isEarlierVersion(sql, etag))) return latest;
  if (kvText === null || etag === null) return null;
  const changes = policyChanges(parsed(latest?.text), parsed(kvText));
  recordPolicyVersion(sql, { text: kvText, etag, actor: "kv", changes }, now);
  tenant.record(now, "policy.changed", "kv", { ip: null, userAgent: null }, { etag, changes: changes.length });
  return { text: kvText, etag, at: now };
}

/** A stored policy text as JSON, or `undefined` (none, or not JSON: then the diff shows it whole). */
function parsed(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The strong ETag of a stored policy text. */
export async function policyEtag(text: string): Promise<string> {
  return `"${(await sha256Hex(text)).slice(0, 32)}"`;
}

function latestPolicy(sql: SqlStorage): StoredPolicy | null {
  return sql.exec<StoredPolicy>("SELECT text, etag, at FROM policy_versions ORDER BY version DESC LIMIT 1").toArray()[0] ?? null;
}

function recordPolicyVersion(sql: SqlStorage, version: { text: string; etag: string; actor: string; changes: PolicyChange[] }, now: number): void {
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
function isEarlierVersion(sql: SqlStorage, etag: string): boolean {
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
