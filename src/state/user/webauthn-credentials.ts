/**
 * @module
 * The user's WebAuthn credentials: a `factors` row of kind `webauthn` per credential, with the
 * credential's own columns (id, public key, signature counter, AAGUID, backup flags,
 * transports), and the opaque user handle their passkeys are made for.
 */
import type { KnownCredential, NewCredential, StoredPublicKey } from "../../factors/webauthn";
import type { CredentialDescriptor } from "../../factors/webauthn-options";
import { base64url, fromBase64url } from "../../lib/encoding";

/** The bytes of a user handle: 32 random bytes, well inside WebAuthn's 64-byte limit. */
const USER_HANDLE_BYTES = 32;

/** An active credential, as an assertion is checked against it. */
export interface StoredCredential extends KnownCredential {
  factorId: string;
}

/**
 * The user handle (`user.id` of the creation options): random and made once per user, so an
 * authenticator never holds the portal's user id (WebAuthn §14.6.1), and every passkey of the
 * user carries the same handle.
 * @example
 * creationOptions(settings, { user: { id: userHandle(sql), … }, … })
 */
export function userHandle(sql: SqlStorage): Uint8Array {
  const stored = sql.exec<{ text: string | null }>("SELECT text FROM settings WHERE name = 'webauthn_user_handle'").toArray()[0]?.text;
  if (stored) return fromBase64url(stored);
  const handle = crypto.getRandomValues(new Uint8Array(USER_HANDLE_BYTES));
  sql.exec("INSERT INTO settings (name, text) VALUES ('webauthn_user_handle', ?)", base64url(handle));
  return handle;
}

/** The user's active credentials as the options name them (`excludeCredentials`, `allowCredentials`), oldest first. */
export function credentialDescriptors(sql: SqlStorage): CredentialDescriptor[] {
  return sql
    .exec<{ credential_id: string; transports: string | null }>(
      "SELECT credential_id, transports FROM factors WHERE kind = 'webauthn' AND status = 'active' ORDER BY created_at",
    )
    .toArray()
    .map((row) => ({ id: row.credential_id, transports: JSON.parse(row.transports ?? "[]") as string[] }));
}

/** The active credential with this id (base64url), or null: unknown, pending and removed ones alike. */
export function activeCredential(sql: SqlStorage, credentialId: string): StoredCredential | null {
  const row = sql
    .exec<{ id: string; public_key: string; sign_count: number; backup_eligible: number | null }>(
      "SELECT id, public_key, sign_count, backup_eligible FROM factors WHERE kind = 'webauthn' AND status = 'active' AND credential_id = ?",
      credentialId,
    )
    .toArray()[0];
  if (!row) return null;
  return {
    factorId: row.id,
    credentialId,
    publicKey: JSON.parse(row.public_key) as StoredPublicKey,
    counter: row.sign_count,
    backupEligible: row.backup_eligible === 1,
  };
}

/** Whether a credential with this id is stored for the user already (active or not). */
export function credentialKnown(sql: SqlStorage, credentialId: string): boolean {
  return sql.exec("SELECT 1 FROM factors WHERE credential_id = ?", credentialId).toArray().length > 0;
}

/** Writes a verified credential onto its pending factor row (activation is the caller's). */
export function storeCredential(sql: SqlStorage, factorId: string, credential: NewCredential, name: string | null): void {
  sql.exec(
    `UPDATE factors SET credential_id = ?, public_key = ?, sign_count = ?, aaguid = ?, backup_eligible = ?, backed_up = ?, transports = ?, name = ?
     WHERE id = ?`,
    credential.credentialId,
    JSON.stringify(credential.publicKey),
    credential.counter,
    credential.aaguid,
    credential.backupEligible ? 1 : 0,
    credential.backedUp ? 1 : 0,
    JSON.stringify(credential.transports),
    name,
    factorId,
  );
}

/** Notes an accepted assertion: its counter, whether the passkey is synced now, and when it was used (seconds, as for TOTP). */
export function noteAssertion(sql: SqlStorage, factorId: string, counter: number, backedUp: boolean, now: number): void {
  sql.exec("UPDATE factors SET sign_count = ?, backed_up = ?, last_used_at = ? WHERE id = ?", counter, backedUp ? 1 : 0, Math.floor(now / 1000), factorId);
}

/** Renames an active passkey; `false` when the user has none with this factor id. */
export function renameCredential(sql: SqlStorage, factorId: string, name: string): boolean {
  return sql.exec("UPDATE factors SET name = ? WHERE id = ? AND kind = 'webauthn' AND status = 'active'", name, factorId).rowsWritten > 0;
}
