/**
 * @module
 * The addresses of the console's users pages: the directory's query as URL parameters, read
 * from the page's URL and written into its links (column headers, next and first page), so the
 * filters survive sorting and paging; and one user's page, their id percent-encoded once.
 */
import { CONSOLE_BASE } from "../flows/console-access";
import type { DirectorySortColumn } from "../state/tenant/views";

export const USERS_PATH = `${CONSOLE_BASE}/users`;

/** The directory query's parameters; other parameters (the language menu's `lang`, a notice's `done`) are not the listing's. */
const LISTING_PARAMS = ["status", "factor", "required", "q", "sort", "limit", "cursor"] as const;
export type ListingParam = (typeof LISTING_PARAMS)[number];
/** The listing's parameters as the URL has them (unchecked). */
export type Listing = Partial<Record<ListingParam, string>>;

/** Time columns sort newest first on the first click; text columns from A. */
const NEWEST_FIRST: ReadonlySet<DirectorySortColumn> = new Set(["updated_at", "enrolled_at", "first_seen_at", "last_seen_at"]);

/**
 * The listing's parameters in `query`, blanks left out: a filter left at "any" is sent empty.
 * @example
 * listingOf({ status: "", q: "ann", lang: "de" }) // { q: "ann" }
 */
export function listingOf(query: Readonly<Record<string, string>>): Listing {
  const listing: Listing = {};
  for (const name of LISTING_PARAMS) {
    const value = query[name];
    if (value !== undefined && value.trim() !== "") listing[name] = value;
  }
  return listing;
}

/**
 * The users page for `listing` with `changes` (a change to `undefined` leaves the parameter out).
 * @example
 * listingHref({ status: "pending", cursor: "abc" }, { cursor: undefined }) // "/__stepgate/admin/users?status=pending"
 */
export function listingHref(listing: Listing, changes: Listing = {}): string {
  const params = new URLSearchParams();
  const merged: Listing = { ...listing, ...changes };
  for (const name of LISTING_PARAMS) {
    const value = merged[name];
    if (value !== undefined) params.set(name, value);
  }
  const query = params.toString();
  return query ? `${USERS_PATH}?${query}` : USERS_PATH;
}

/**
 * The `sort` a column header's link asks for: the column the other way round when the listing is
 * sorted by it already, else the column in its first direction.
 * @example
 * sortToggle("last_seen_at", { column: "user_id", descending: false }) // "-last_seen_at"
 */
export function sortToggle(column: DirectorySortColumn, current: { column: DirectorySortColumn; descending: boolean }): string {
  const descending = column === current.column ? !current.descending : NEWEST_FIRST.has(column);
  return descending ? `-${column}` : column;
}

/**
 * One user's page (or an action of it); `userId` is encoded once, as the route decodes it once.
 * @example
 * userHref("a/b", "reset") // "/__stepgate/admin/users/a%2Fb/reset"
 */
export function userHref(userId: string, ...rest: string[]): string {
  return [`${USERS_PATH}/${encodeURIComponent(userId)}`, ...rest.map(encodeURIComponent)].join("/");
}
