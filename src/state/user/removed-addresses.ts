/**
 * @module
 * The addresses the user's text and email factors have, and had: the active factors', and those
 * of factors removed in the last {@link REMOVED_ADDRESSES_KEPT_MS} (`removed_addresses`), each
 * with when it was added and removed. Kept only for the security alerts, which go to an address
 * the user had when the event happened: whoever removed an address may have put their own in
 * its place before the alert is sent.
 */

/** As long as an alert may still be sent (`ALERT_MAX_AGE_MS`). */
export const REMOVED_ADDRESSES_KEPT_MS = 7 * 86_400_000;

/**
 * An address a factor has or had, from `addedAt` until `removedAt` (`null`: it still has it);
 * `factorId` is `null` for an address no factor holds (the session's email).
 */
export type HeldAddress = { kind: string; address: string; addedAt: number; removedAt: number | null; factorId: string | null };

/**
 * Keeps the addresses of the factors `factorIds` (those that have one) as removed `now`, before
 * their rows are deleted; forgets old ones.
 * @example
 * keepRemovedAddresses(sql, [factorId], now); sql.exec("DELETE FROM factors WHERE id = ?", factorId);
 */
export function keepRemovedAddresses(sql: SqlStorage, factorIds: readonly string[], now: number): void {
  sql.exec("DELETE FROM removed_addresses WHERE removed_at <= ?", now - REMOVED_ADDRESSES_KEPT_MS);
  for (const id of factorIds) {
    sql.exec(
      `INSERT OR REPLACE INTO removed_addresses (factor_id, kind, address, added_at, removed_at)
       SELECT id, kind, address, coalesce(confirmed_at, created_at), ? FROM factors WHERE id = ? AND status = 'active' AND address IS NOT NULL`,
      now,
      id,
    );
  }
}

/** Every address the user's factors have, and had lately, oldest first. */
export function heldAddresses(sql: SqlStorage): HeldAddress[] {
  return sql
    .exec<HeldAddress>(
      `SELECT kind, address, coalesce(confirmed_at, created_at) AS addedAt, NULL AS removedAt, id AS factorId
       FROM factors WHERE status = 'active' AND address IS NOT NULL
       UNION ALL
       SELECT kind, address, added_at AS addedAt, removed_at AS removedAt, factor_id AS factorId FROM removed_addresses
       ORDER BY addedAt`,
    )
    .toArray();
}
