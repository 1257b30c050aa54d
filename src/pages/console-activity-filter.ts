/**
 * @module
 * The Activity page's filter form (a GET form, so a filtered view is a link) read into the
 * audit query the admin API takes, with the same rules, and written back into links: the next
 * page's, and the exports'. Its times are `datetime-local` values, read in the time zone the
 * form names (the page's, or UTC).
 */
import type { AuditFilter } from "../flows/audit-trail";
import { zonedInstant } from "../lib/zoned-time";
import { AuditQuery, UserId } from "../state/tenant/views";
import type { PageKey } from "./i18n/catalogue";
import { knownTimeZone } from "../lib/zoned-time";

/** The form's fields as sent, shown again in the form and carried by its links. */
export interface ActivityForm {
  type: string;
  user: string;
  from: string;
  until: string;
  /** The IANA time zone `from` and `until` are read in. */
  zone: string;
}

export type ActivityField = "type" | "user" | "from" | "until";

export type ActivityFilter =
  | { ok: true; form: ActivityForm; filter: AuditFilter; cursor: number | undefined }
  | { ok: false; form: ActivityForm; errors: Partial<Record<ActivityField, PageKey>> };

const CURSOR = /^[1-9]\d{0,15}$/;

/**
 * The filter the query string asks for, or each field's error. `pageZone` is the zone the page
 * shows times in: the form's times are read in it unless the form names another.
 * @example
 * activityFilter({ type: "verify.*", from: "2026-11-02T14:00", zone: "Europe/Berlin" }, "UTC")
 * // { ok: true, filter: { type: "verify.*", since: "2026-11-02T13:00:00.000Z" }, … }
 */
export function activityFilter(query: Readonly<Record<string, string | undefined>>, pageZone: string): ActivityFilter {
  const form: ActivityForm = {
    type: query.type?.trim() ?? "",
    user: query.user?.trim() ?? "",
    from: query.from?.trim() ?? "",
    until: query.until?.trim() ?? "",
    zone: knownTimeZone(query.zone) ? query.zone : pageZone,
  };
  const errors: Partial<Record<ActivityField, PageKey>> = {};
  const filter: AuditFilter = {};
  // The admin API's own rules for these two fields.
  if (form.type) {
    if (AuditQuery.shape.type.safeParse(form.type).success) filter.type = form.type;
    else errors.type = "console.activity.badType";
  }
  if (form.user) {
    if (UserId.safeParse(form.user).success) filter.user = form.user;
    else errors.user = "console.activity.badUser";
  }
  const since = form.from ? zonedInstant(form.from, form.zone) : null;
  const until = form.until ? zonedInstant(form.until, form.zone) : null;
  if (form.from && !since) errors.from = "console.activity.badTime";
  if (form.until && !until) errors.until = "console.activity.badTime";
  else if (since && until && until <= since) errors.until = "console.activity.untilBeforeFrom";
  if (since) filter.since = since.toISOString();
  if (until) filter.until = until.toISOString();
  if (Object.keys(errors).length > 0) return { ok: false, form, errors };
  const cursor = query.cursor && CURSOR.test(query.cursor) ? Number(query.cursor) : undefined;
  return { ok: true, form, filter, cursor };
}

/** Whether the query string asked for a page that is not one (its cursor is no entry's number). */
export function badCursor(query: Readonly<Record<string, string | undefined>>): boolean {
  return query.cursor !== undefined && !CURSOR.test(query.cursor);
}

/**
 * A link to `path` with the form's filters (those filled in) and `extra`.
 * @example
 * activityHref("/__stepgate/admin/activity", form, { cursor: "120" }) // "/__stepgate/admin/activity?type=verify.*&zone=UTC&cursor=120"
 */
export function activityHref(path: string, form: ActivityForm, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...form, ...extra })) if (value) params.set(name, value);
  if (!form.from && !form.until) params.delete("zone");
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
