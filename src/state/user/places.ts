/**
 * @module
 * The places a user signed in from (`places` table): a country and a network
 * (ASN) as Cloudflare placed the request, the last {@link PLACES_KEPT} used; and whether a
 * sign-in comes from a place new to the user (`login.newLocation`), decided by a pure function.
 */
import type { RequestOrigin } from "./audit";

/** Places kept per user; the least recently used is dropped past this. */
export const PLACES_KEPT = 20;

/** A country (ISO 3166-1 alpha-2) and a network (autonomous system number); `null` where Cloudflare named none. */
export interface Place {
  country: string | null;
  asn: number | null;
}

/** The place a request came from. */
export function placeOf(origin: Pick<RequestOrigin, "country" | "asn">): Place {
  return { country: origin.country ?? null, asn: origin.asn ?? null };
}

/**
 * Whether `place` is new to a user who has been at `known`: its country, or its network, is
 * not among theirs. A user's first place is not new: there is nothing to compare it with, and
 * the user just proved themselves there or signed in from it. A place with neither a country
 * nor a network is new to a user who has places: it cannot be shown to be one of theirs.
 * @example
 * isNewPlace([{ country: "DE", asn: 3320 }], { country: "DE", asn: 6805 }) // true: a new network
 */
export function isNewPlace(known: readonly Place[], place: Place): boolean {
  if (known.length === 0) return false;
  if (place.country === null && place.asn === null) return true;
  const newCountry = place.country !== null && !known.some((k) => k.country === place.country);
  const newNetwork = place.asn !== null && !known.some((k) => k.asn === place.asn);
  return newCountry || newNetwork;
}

/** The places the user has been at, most recently used first. */
export function loadPlaces(sql: SqlStorage): Place[] {
  return sql
    .exec<{ country: string; asn: number }>("SELECT country, asn FROM places ORDER BY last_used_at DESC")
    .toArray()
    .map((row) => ({ country: row.country === "" ? null : row.country, asn: row.asn === 0 ? null : row.asn }));
}

/**
 * Notes that the user signed in from `place` now; past {@link PLACES_KEPT} the least
 * recently used place is dropped. A place with neither a country nor a network teaches nothing.
 */
export function notePlace(sql: SqlStorage, place: Place, now: number): void {
  if (place.country === null && place.asn === null) return;
  sql.exec(
    `INSERT INTO places (country, asn, first_used_at, last_used_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (country, asn) DO UPDATE SET last_used_at = excluded.last_used_at`,
    place.country ?? "",
    place.asn ?? 0,
    now,
    now,
  );
  sql.exec("DELETE FROM places WHERE rowid IN (SELECT rowid FROM places ORDER BY last_used_at DESC, rowid DESC LIMIT -1 OFFSET ?)", PLACES_KEPT);
}
