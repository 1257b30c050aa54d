/**
 * @module
 * The user object's small settings (`settings` table): the admin's requirement, the
 * re-enrolment epoch applied, the revocation time, the directory version and sync marks
 * (numbers), and the language and time zone the user last used a page in (words).
 */
import { isLanguage, type Language } from "../../config/languages";
import { knownTimeZone } from "../../lib/zoned-time";

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

/**
 * Remembers the language a page was shown to the user in, so that what is sent to them later,
 * from no page (a code asked for by the API, a security email), is in it too.
 */
export function rememberLanguage(sql: SqlStorage, language: Language): void {
  setText(sql, "language", language);
}

/**
 * Remembers the time zone Cloudflare placed the user's page request in (`request.cf.timezone`),
 * for the times a security email names; a zone the runtime does not know is ignored.
 */
export function rememberTimeZone(sql: SqlStorage, zone: string): void {
  if (knownTimeZone(zone)) setText(sql, "time_zone", zone);
}

/** The time zone of the user's last page, or `null` before one named it. */
export function rememberedTimeZone(sql: SqlStorage): string | null {
  const text = sql.exec<{ text: string | null }>("SELECT text FROM settings WHERE name = 'time_zone'").toArray()[0]?.text;
  return knownTimeZone(text) ? text : null;
}

function setText(sql: SqlStorage, name: string, text: string): void {
  sql.exec("INSERT INTO settings (name, text) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET text = excluded.text", name, text);
}

/** The language the user last used a page in, or `null` before they used one. */
export function rememberedLanguage(sql: SqlStorage): Language | null {
  const text = sql.exec<{ text: string | null }>("SELECT text FROM settings WHERE name = 'language'").toArray()[0]?.text;
  return isLanguage(text) ? text : null;
}
