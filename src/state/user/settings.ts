/**
 * @module
 * The user object's small numeric settings (`settings` table): the admin's requirement, the
 * re-enrolment epoch applied, the revocation time, the directory version and sync marks.
 */

/** A setting's value, or `null` when unset. */
export function setting(sql: SqlStorage, name: string): number | null {
  return sql.exec<{ value: number | null }>("SELECT value FROM settings WHERE name = ?", name).toArray()[0]?.value ?? null;
}

export function setSetting(sql: SqlStorage, name: string, value: number | null): void {
  sql.exec("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value);
}

/** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
export function requiredByAdmin(sql: SqlStorage): boolean | null {
  const flag = setting(sql, "required_by_admin");
  return flag === null ? null : flag === 1;
}
