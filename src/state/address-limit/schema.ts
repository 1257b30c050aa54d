/**
 * @module
 * The address-limit object's SQLite schema, as ordered migrations (run by `migrate`). A
 * migration is never edited once released; a change is a new entry at the end. The object
 * deletes everything once idle (see `AddressLimitState`), so these run again when it is next used.
 */
export const ADDRESS_LIMIT_MIGRATIONS: readonly string[] = [
  // Unsuccessful verification attempts per bucket over the last hour (`hourly-attempts.ts`: the
  // column is `ip` there, holding the bucket); and this minute's refusals per bucket, kept until
  // the minute is over and they are published (`refusals.ts`).
  `CREATE TABLE verify_attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, ip TEXT NOT NULL);
   CREATE INDEX verify_attempts_by_ip ON verify_attempts (ip, at);
   CREATE INDEX verify_attempts_by_time ON verify_attempts (at);
   CREATE TABLE refusals (
     window_start INTEGER NOT NULL,
     bucket TEXT NOT NULL,
     number INTEGER NOT NULL,
     count INTEGER NOT NULL,
     first_at INTEGER NOT NULL,
     last_at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     city TEXT,
     country TEXT,
     PRIMARY KEY (window_start, bucket)
   );`,
];
