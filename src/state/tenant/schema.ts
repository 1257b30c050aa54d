/**
 * @module
 * The per-tenant Durable Object's SQLite schema, as ordered migrations (run by `migrate`). A
 * migration is never edited once released; a change is a new entry at the end.
 */
export const TENANT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE sends (at INTEGER NOT NULL, ip TEXT NOT NULL);
   CREATE INDEX sends_by_time ON sends (at);
   CREATE INDEX sends_by_ip ON sends (ip, at);
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     channel TEXT NOT NULL,
     recipient TEXT NOT NULL,
     subject TEXT,
     body TEXT NOT NULL
   );`,
  // Admin keys (hashed), the policy's history, the user directory and the tenant-wide audit.
  // Directory columns are NOT NULL with neutral defaults ('' / 0) so keyset pagination can
  // compare them with row values and use the indexes.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     scopes TEXT NOT NULL,
     hash TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     last_used_at INTEGER,
     revoked_at INTEGER
   );
   CREATE TABLE policy_versions (
     version INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     etag TEXT NOT NULL,
     text TEXT NOT NULL,
     changes TEXT NOT NULL
   );
   CREATE TABLE directory (
     user_id TEXT PRIMARY KEY,
     email TEXT NOT NULL DEFAULT '',
     factors TEXT NOT NULL DEFAULT '',
     pending_until INTEGER NOT NULL DEFAULT 0,
     required INTEGER,
     locked_until INTEGER NOT NULL DEFAULT 0,
     enrolled_at INTEGER NOT NULL DEFAULT 0,
     first_seen_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     version INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX directory_by_email ON directory (email, user_id);
   CREATE INDEX directory_by_updated ON directory (updated_at, user_id);
   CREATE INDEX directory_by_enrolled ON directory (enrolled_at, user_id);
   CREATE INDEX directory_by_first_seen ON directory (first_seen_at, user_id);
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     user_id TEXT,
     user_seq INTEGER,
     type TEXT NOT NULL,
     actor TEXT,
     ip TEXT,
     user_agent TEXT,
     detail TEXT NOT NULL
   );
   CREATE UNIQUE INDEX audit_once_per_user_entry ON audit (user_id, user_seq);
   CREATE INDEX audit_by_user ON audit (user_id, seq);
   CREATE INDEX audit_by_type ON audit (type, seq);
   CREATE INDEX audit_by_time ON audit (at);`,
  // Verification attempts per client IP across all users (credential stuffing): an attempt is
  // counted before the user's object checks the code and forgotten again when it succeeds.
  `CREATE TABLE verify_attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, ip TEXT NOT NULL);
   CREATE INDEX verify_attempts_by_ip ON verify_attempts (ip, at);`,
  // The hourly sweep of old attempts reads by time alone, like `sends_by_time` for sends.
  `CREATE INDEX verify_attempts_by_time ON verify_attempts (at);`,
  // The dev outbox keeps the code of each message apart, for its page to show.
  `ALTER TABLE outbox ADD COLUMN code TEXT;`,
  // Admin console sessions opened with an API key (see console-sessions.ts): the token's hash only.
  `CREATE TABLE console_sessions (
     token_hash TEXT PRIMARY KEY,
     actor TEXT NOT NULL,
     key_id TEXT,
     fingerprint TEXT,
     scopes TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE INDEX console_sessions_by_key ON console_sessions (key_id);`,
  // When each user last came (0: not since this column was added), sortable like the other times;
  // and the enrolments under way, which the counts by status read by range (see `countDirectory`).
  `ALTER TABLE directory ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX directory_by_last_seen ON directory (last_seen_at, user_id);
   CREATE INDEX directory_by_pending ON directory (pending_until);`,
  // The event stream (docs/events.md). Each audit entry names the stream's message it is
  // (`event_id`, once: a message delivered twice is stored once) and where the request came
  // from; the entries this object recorded itself wait in `events_unpublished` until the queue
  // took them (from `publish_at`: a refusal tally when its minute is over); messages that
  // failed every retry are kept in `dead_events` to be listed and replayed.
  `ALTER TABLE audit ADD COLUMN event_id TEXT;
   ALTER TABLE audit ADD COLUMN city TEXT;
   ALTER TABLE audit ADD COLUMN country TEXT;
   CREATE UNIQUE INDEX audit_once_per_event ON audit (event_id);
   CREATE TABLE events_unpublished (seq INTEGER PRIMARY KEY, publish_at INTEGER NOT NULL);
   CREATE INDEX events_unpublished_by_time ON events_unpublished (publish_at);
   CREATE TABLE dead_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     message TEXT NOT NULL,
     dead_at INTEGER NOT NULL
   );
   CREATE INDEX dead_events_by_time ON dead_events (dead_at);`,
  // Webhooks (docs/webhooks.md): each endpoint with its signing secret sealed (and the one it
  // replaced, valid until `previous_until`), the last attempts of each, and which events each
  // received (a redelivered queue message is not posted again). Their dead letters are kept in
  // `dead_events` with the stream's, by delivery id.
  `CREATE TABLE webhooks (
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     event_types TEXT NOT NULL,
     description TEXT NOT NULL,
     enabled INTEGER NOT NULL,
     disabled_reason TEXT,
     secret_sealed TEXT NOT NULL,
     previous_secret_sealed TEXT,
     previous_until INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL
   );
   CREATE TABLE webhook_attempts (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     webhook_id TEXT NOT NULL,
     event_id TEXT NOT NULL,
     type TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status INTEGER,
     error TEXT,
     duration_ms INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX webhook_attempts_by_webhook ON webhook_attempts (webhook_id, seq);
   CREATE TABLE webhook_delivered (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     webhook_id TEXT NOT NULL,
     event_id TEXT NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE UNIQUE INDEX webhook_delivered_once ON webhook_delivered (webhook_id, event_id);
   CREATE INDEX webhook_delivered_by_time ON webhook_delivered (at);`,
  // Each dead letter's source (`stream`, `webhook`, `alert`: see dead-events.ts), capped on its
  // own, so a flood of one kind never pushes out another's.
  `ALTER TABLE dead_events ADD COLUMN source TEXT NOT NULL DEFAULT 'stream';
   UPDATE dead_events SET source = CASE json_extract(message, '$.kind') WHEN 'webhook' THEN 'webhook' WHEN 'alert' THEN 'alert' ELSE 'stream' END;
   CREATE INDEX dead_events_by_source ON dead_events (source, seq);`,
  // The pings of the last minute, counted against the tenant's budget (see webhook-pings.ts).
  `CREATE TABLE webhook_pings (at INTEGER NOT NULL);
   CREATE INDEX webhook_pings_by_time ON webhook_pings (at);`,
  // The number of rows in `sends`, kept beside it so a send reads the hour's count in one row
  // instead of counting the hour (see hourly-limits.ts).
  `CREATE TABLE sends_count (id INTEGER PRIMARY KEY CHECK (id = 0), n INTEGER NOT NULL);
   INSERT INTO sends_count (id, n) SELECT 0, count(*) FROM sends;`,
];
