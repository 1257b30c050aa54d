/**
 * @module
 * Who a Durable Object is, kept in its own SQLite storage. The runtime gives an object its name
 * (`ctx.id.name`) only when it was reached through `idFromName`; an object woken by its alarm
 * after a restart, or reached through `idFromString`, has none. So the name is stored the first
 * time the object is reached by it, read back from storage otherwise, and an object that has
 * neither refuses to run at all: acting under a guessed identity (the empty string) once sent a
 * user's audit entries to a phantom tenant and marked them sent.
 */

/** Thrown by an object that was reached without its name and has none stored. */
export class UnknownIdentityError extends Error {
  constructor(className: string, id: string) {
    super(`stepgate: ${className} ${id} was reached without its name and has no stored identity; it refuses to act`);
    this.name = "UnknownIdentityError";
  }
}

/**
 * The object's name: `ctx.id.name`, stored on first sight, or the stored one when the runtime
 * gives none; `legacy` reads one from tables written before names were stored. Throws
 * {@link UnknownIdentityError} when there is no name anywhere, before writing anything.
 * @example
 * const tenantId = objectIdentity(ctx.storage.sql, ctx.id, "TenantState");
 */
export function objectIdentity(sql: SqlStorage, id: DurableObjectId, className: string, legacy?: () => string | null): string {
  // The runtime's name is authoritative: the id is derived from it, so it never changes.
  if (id.name !== undefined) return remember(sql, id.name);
  // Only reads until a name is found: an object that cannot say who it is must leave no trace.
  const stored = tableExists(sql, "identity") ? sql.exec<{ name: string }>("SELECT name FROM identity WHERE id = 1").toArray()[0]?.name : undefined;
  if (stored !== undefined) return stored;
  const name = legacy?.() ?? null;
  if (name === null) throw new UnknownIdentityError(className, id.toString());
  return remember(sql, name);
}

function remember(sql: SqlStorage, name: string): string {
  sql.exec("CREATE TABLE IF NOT EXISTS identity (id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL)");
  sql.exec("INSERT INTO identity (id, name) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE name <> excluded.name", name);
  return name;
}

/** Whether `table` exists in `sql` (a read of the schema, no write). */
export function tableExists(sql: SqlStorage, table: string): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table).toArray().length > 0;
}
