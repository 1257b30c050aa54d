/**
 * @module
 * Tenant API keys in the tenant's Durable Object. A key is `sgk_<id>_<secret>`; only the
 * SHA-256 of the secret is stored (the secret is 256 random bits, so a fast hash is enough:
 * there is nothing to brute-force), and it is shown once, when created.
 */
import type { AdminScope, ApiKeyView } from "./views";
import { scopesBeyond } from "../../config/admins-schema";
import { digestsEqual, sha256Hex } from "../../lib/crypto";
import { base64url } from "../../lib/encoding";
import { iso } from "../../lib/iso-time";
import type { RequestOrigin } from "../user/audit";
import type { TenantContext } from "./context";

const KEY_FORMAT = /^sgk_([0-9a-f]{16})_([\w-]{43})$/;
/** `last_used_at` is written at most this often, so busy scripts do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

type KeyRow = { id: string; name: string; scopes: string; hash: string; created_at: number; created_by: string; last_used_at: number | null };

/** The parts of a presented key, or `null` when it is not shaped like one. */
export function parseApiKey(presented: string): { id: string; secret: string } | null {
  const match = KEY_FORMAT.exec(presented);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** A new key's id and secret, and the whole key as the admin will send it. */
function newApiKey(): { id: string; secret: string; key: string } {
  const id = [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { id, secret, key: `sgk_${id}_${secret}` };
}

/**
 * Creates a key, audited as its creator's; the secret is in the answer and nowhere else.
 * @example
 * const { key } = await createApiKey(tenant, { name: "deploy", scopes: ["policy:write"], actor: "bootstrap", origin }, Date.now());
 */
export async function createApiKey(
  tenant: TenantContext,
  input: { name: string; scopes: AdminScope[]; actor: string; origin: RequestOrigin },
  now: number,
): Promise<ApiKeyView & { key: string }> {
  const { id, secret, key } = newApiKey();
  tenant.sql.exec(
    "INSERT INTO api_keys (id, name, scopes, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
    id,
    input.name,
    JSON.stringify(input.scopes),
    await sha256Hex(secret),
    now,
    input.actor,
  );
  tenant.record(now, "key.created", input.actor, input.origin, { keyId: id, name: input.name, scopes: input.scopes });
  return { id, name: input.name, scopes: input.scopes, createdAt: iso(now), createdBy: input.actor, lastUsedAt: null, key };
}

/** The scopes of a live key whose secret is `secret`, or `null` (unknown, revoked, wrong secret); notes its use. */
export async function checkApiKey(sql: SqlStorage, id: string, secret: string, now: number): Promise<AdminScope[] | null> {
  const hash = await sha256Hex(secret);
  const row = sql.exec<KeyRow>("SELECT * FROM api_keys WHERE id = ? AND revoked_at IS NULL", id).toArray()[0];
  if (!row || !digestsEqual(row.hash, hash)) return null;
  if (now - (row.last_used_at ?? 0) > LAST_USED_RESOLUTION_MS) sql.exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", now, id);
  return JSON.parse(row.scopes) as AdminScope[];
}

export function listApiKeys(sql: SqlStorage): ApiKeyView[] {
  return sql
    .exec<KeyRow>("SELECT * FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id")
    .toArray()
    .map((row) => ({
      id: row.id,
      name: row.name,
      scopes: JSON.parse(row.scopes) as AdminScope[],
      createdAt: iso(row.created_at),
      createdBy: row.created_by,
      lastUsedAt: row.last_used_at === null ? null : iso(row.last_used_at),
    }));
}

/**
 * Revokes a key at once, and every key it made (and they made): a leaked key's offspring go
 * with it. A caller may only revoke a key whose scopes it holds itself. Audited as the caller's.
 */
export function revokeApiKey(
  tenant: TenantContext,
  id: string,
  caller: { actor: string; scopes: readonly AdminScope[] },
  origin: RequestOrigin,
  now: number,
): "revoked" | "not_found" | "stronger" {
  const { sql } = tenant;
  const row = sql.exec<{ scopes: string }>("SELECT scopes FROM api_keys WHERE id = ? AND revoked_at IS NULL", id).toArray()[0];
  if (!row) return "not_found";
  if (scopesBeyond(caller.scopes, JSON.parse(row.scopes) as AdminScope[]).length > 0) return "stronger";
  sql.exec(
    `WITH RECURSIVE made(id) AS (SELECT ? UNION SELECT k.id FROM api_keys k JOIN made ON k.created_by = 'key:' || made.id)
     UPDATE api_keys SET revoked_at = ? WHERE id IN (SELECT id FROM made) AND revoked_at IS NULL`,
    id,
    now,
  );
  tenant.record(now, "key.revoked", caller.actor, origin, { keyId: id });
  return "revoked";
}
