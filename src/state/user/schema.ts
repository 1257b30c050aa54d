/**
 * @module
 * The per-user Durable Object's SQLite schema, as ordered migrations (run by `migrate`). A
 * migration is never edited once released; a change is a new entry at the end.
 */
export const USER_MIGRATIONS: readonly string[] = [
  `CREATE TABLE profile (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     tenant_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     required_by_admin INTEGER
   );
   CREATE TABLE factors (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE challenges (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     operation TEXT NOT NULL,
     session_id TEXT NOT NULL,
     return_to TEXT,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX challenges_by_expiry ON challenges (expires_at);`,
  `ALTER TABLE factors ADD COLUMN secret_sealed TEXT;
   ALTER TABLE factors ADD COLUMN last_step INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE challenges ADD COLUMN verified_at INTEGER;
   CREATE TABLE backup_codes (hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
   CREATE TABLE lockout (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     failures INTEGER NOT NULL,
     window_started_at INTEGER NOT NULL,
     locked_until INTEGER NOT NULL
   );
   CREATE TABLE used_grants (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     type TEXT NOT NULL,
     ip TEXT,
     user_agent TEXT,
     detail TEXT NOT NULL
   );`,
  `ALTER TABLE factors ADD COLUMN address TEXT;
   CREATE TABLE sent_codes (
     purpose TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     factor_id TEXT NOT NULL,
     hash TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     attempts_left INTEGER NOT NULL
   );
   CREATE TABLE sends (at INTEGER NOT NULL, purpose TEXT NOT NULL, kind TEXT NOT NULL);
   CREATE INDEX sends_by_time ON sends (at);
   CREATE TABLE fresh_sessions (session_id TEXT PRIMARY KEY, verified_at INTEGER NOT NULL);`,
  // A TOTP factor keeps the digits, period and algorithm its app was given, and the last code
  // it accepted as a time (seconds), so a later policy change cannot break enrolled apps.
  // (last_step, counted in periods, is no longer read: dropped in migration 8.)
  `ALTER TABLE factors ADD COLUMN totp_settings TEXT;
   ALTER TABLE factors ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;`,
  // Per-user settings by name (required_by_admin, revoked_before, epoch_applied) and the
  // devices the user trusts. (The profile table of the first migration is read again from migration 6.)
  `CREATE TABLE settings (name TEXT PRIMARY KEY, value INTEGER);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER NOT NULL,
     ip TEXT,
     expires_at INTEGER NOT NULL
   );`,
  // The first migration's profile table is read again: who this object is, the email the
  // portal's session names (for the tenant's directory) and when the user was first seen.
  `ALTER TABLE profile ADD COLUMN email TEXT;
   ALTER TABLE profile ADD COLUMN first_seen_at INTEGER;`,
  // Request-bound challenges: the digest the grant must carry, the fields shown while the user
  // approves, the request itself (sealed) to complete afterwards, the grant's id, and when the
  // held request was completed (once).
  `ALTER TABLE challenges ADD COLUMN digest TEXT;
   ALTER TABLE challenges ADD COLUMN display TEXT;
   ALTER TABLE challenges ADD COLUMN held_sealed TEXT;
   ALTER TABLE challenges ADD COLUMN grant_id TEXT;
   ALTER TABLE challenges ADD COLUMN completed_at INTEGER;`,
  // Never read: the first profile's requirement column (the requirement is a setting) and the
  // TOTP step counter of migration 2 (the last code is kept as a time, `last_used_at`).
  `ALTER TABLE profile DROP COLUMN required_by_admin;
   ALTER TABLE factors DROP COLUMN last_step;`,
  // When a factor was confirmed with its first code: the directory's `enrolledAt` (not when the
  // enrolment began, which may be a QR page left open for minutes). Earlier factors keep their start.
  `ALTER TABLE factors ADD COLUMN confirmed_at INTEGER;
   UPDATE factors SET confirmed_at = created_at WHERE status = 'active';`,
  // Settings that are words, not numbers: the language the user last used a page in.
  `ALTER TABLE settings ADD COLUMN text TEXT;`,
  // A TOTP enrolment that replaces the enrolled app names it (the old one goes when the new one
  // is confirmed); an audit entry keeps the city and country Cloudflare placed the request in.
  `ALTER TABLE factors ADD COLUMN replaces TEXT;
   ALTER TABLE audit ADD COLUMN city TEXT;
   ALTER TABLE audit ADD COLUMN country TEXT;`,
  // WebAuthn: a factor row per credential (so the rules on adding, removing and resetting
  // factors hold as they are), with the credential's own columns; a pending one keeps its
  // registration challenge until the browser's response is checked (once). A credential id is
  // stored once per user. The user handle passkeys are made for is a setting (`webauthn_user_handle`).
  `ALTER TABLE factors ADD COLUMN name TEXT;
   ALTER TABLE factors ADD COLUMN ceremony_challenge TEXT;
   ALTER TABLE factors ADD COLUMN credential_id TEXT;
   ALTER TABLE factors ADD COLUMN public_key TEXT;
   ALTER TABLE factors ADD COLUMN sign_count INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE factors ADD COLUMN aaguid TEXT;
   ALTER TABLE factors ADD COLUMN backup_eligible INTEGER;
   ALTER TABLE factors ADD COLUMN backed_up INTEGER;
   ALTER TABLE factors ADD COLUMN transports TEXT;
   CREATE UNIQUE INDEX factors_by_credential_id ON factors (credential_id);`,
  // When the user last came through the gate or used their pages (to the `LAST_SEEN_STEP_MS`):
  // the directory's "last seen".
  `ALTER TABLE profile ADD COLUMN last_seen_at INTEGER;`,
  // Escalating lockout: when the lock that lasts until an admin unlocks began (0: none), and when
  // each temporary lock began (a JSON array of epoch ms, oldest first).
  `ALTER TABLE lockout ADD COLUMN locked_until_unlock_since INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE lockout ADD COLUMN temporary_locks TEXT NOT NULL DEFAULT '[]';`,
  // The places (country, network) the user verified or signed in from, for \`login.newLocation\`:
  // '' and 0 where Cloudflare named no country or network; the least recently used dropped past \`PLACES_KEPT\`.
  `CREATE TABLE places (
     country TEXT NOT NULL,
     asn INTEGER NOT NULL,
     first_used_at INTEGER NOT NULL,
     last_used_at INTEGER NOT NULL,
     PRIMARY KEY (country, asn)
   );`,
  // Security alerts (docs/notifications.md): each event's alert once, by its stream id (being
  // sent, sent, or refused), with its kind for the hourly budget; and the addresses of factors
  // removed lately with when they were added, so that an alert goes to an address the user had
  // when the event happened (the one now in its place may be whoever removed it).
  `CREATE TABLE alerts (
     event_id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     state TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX alerts_by_kind ON alerts (kind, at);
   CREATE INDEX alerts_by_time ON alerts (at);
   CREATE TABLE removed_addresses (
     factor_id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     address TEXT NOT NULL,
     added_at INTEGER NOT NULL,
     removed_at INTEGER NOT NULL
   );`,
  // When the session's email was noted (an alert prefers the addresses the user had before its
  // event: an email noted since may be whoever changed the portal's; one noted before this column
  // counts from when the user was first seen), and the addresses an alert reached, so that an
  // alert to several addresses that failed on one is retried to the others alone.
  `ALTER TABLE profile ADD COLUMN email_noted_at INTEGER;
   UPDATE profile SET email_noted_at = coalesce(first_seen_at, 0) WHERE email IS NOT NULL;
   ALTER TABLE alerts ADD COLUMN delivered TEXT NOT NULL DEFAULT '[]';`,
  // What answered a challenge (its RFC 8176 \`amr\` values, a JSON array), so that the grant a
  // held request is completed with says how the user stepped up, as the one the answer earned does.
  `ALTER TABLE challenges ADD COLUMN amr TEXT;`,
];
