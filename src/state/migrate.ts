/**
 * @module
 * Running a Durable Object's ordered SQLite migrations, shared by every object class.
 */

/**
 * Brings `sql` up to the newest of `migrations`; each runs once, inside the caller's
 * `blockConcurrencyWhile`, so no request sees a half-migrated database.
 * @example
 * ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, USER_MIGRATIONS));
 */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  const current = row?.version ?? 0;
  for (let version = current; version < migrations.length; version++) {
    sql.exec(migrations[version]!);
  }
  if (!row) sql.exec("INSERT INTO schema_version (version) VALUES (?)", migrations.length);
  else if (current < migrations.length) sql.exec("UPDATE schema_version SET version = ?", migrations.length);
}
