/**
 * @module
 * Unsuccessful attempts counted per bucket over the last hour, in a `verify_attempts` table of
 * whichever object keeps them: wrong answers from a client network (an address-limit object,
 * `address-limit/`), wrong keys at the console's sign-in (the tenant's and the deployment's
 * object). The check and the count happen in one synchronous step, so parallel requests never
 * get past a limit; a success forgets its attempt, so only failures add up.
 */

export const HOUR_MS = 3_600_000;

/** An attempt counted in its bucket (`id` to forget it on success), or a refusal. */
export type VerifyAttempt = { ok: true; id: number } | { ok: false; retryAfterSeconds: number };

/**
 * Counts an attempt in `bucket`, or refuses it when the last hour's reached `limit`. Counted
 * before the answer is checked: an attempt that is still being checked counts already.
 * @example
 * takeAttempt(sql, "ip:203.0.113.7", 30, Date.now()) // { ok: true, id: 41 }
 */
export function takeAttempt(sql: SqlStorage, bucket: string, limit: number, now: number): VerifyAttempt {
  sql.exec("DELETE FROM verify_attempts WHERE at <= ?", now - HOUR_MS);
  const counted = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM verify_attempts WHERE ip = ?", bucket).one();
  if (counted.n >= limit) return { ok: false, retryAfterSeconds: retryAfterSeconds(counted.first, now) };
  const { id } = sql.exec<{ id: number }>("INSERT INTO verify_attempts (at, ip) VALUES (?, ?) RETURNING id", now, bucket).one();
  return { ok: true, id };
}

/** Forgets an attempt that succeeded: only unsuccessful ones add up. */
export function forgetAttempt(sql: SqlStorage, id: number): void {
  sql.exec("DELETE FROM verify_attempts WHERE id = ?", id);
}

/**
 * When the oldest attempt kept is an hour old and no longer counts (`null`: none kept), after
 * dropping those that are already.
 * @example
 * attemptsExpireAt(sql, Date.now()) // 1767225600000
 */
export function attemptsExpireAt(sql: SqlStorage, now: number): number | null {
  sql.exec("DELETE FROM verify_attempts WHERE at <= ?", now - HOUR_MS);
  const oldest = sql.exec<{ at: number | null }>("SELECT min(at) AS at FROM verify_attempts").one().at;
  return oldest === null ? null : oldest + HOUR_MS;
}

/**
 * Seconds until the oldest counted entry (`first`) is an hour old.
 * @example
 * retryAfterSeconds(now - 3_000_000, now) // 600
 */
export function retryAfterSeconds(first: number | null, now: number): number {
  return Math.max(1, Math.ceil(((first ?? now) + HOUR_MS - now) / 1000));
}
