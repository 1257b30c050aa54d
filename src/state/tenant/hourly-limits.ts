/**
 * @module
 * The tenant's hourly limits, counted in its Durable Object across all its users: code sends per
 * tenant and per client IP (`sends`, against SMS pumping and mail bombing), and unsuccessful
 * attempts per bucket (`verify_attempts`: wrong answers from a client network, wrong keys at the
 * console's sign-in). Each check and its count happen in one synchronous step, so parallel
 * requests never get past a limit.
 */

const HOUR_MS = 3_600_000;

/** A verification attempt counted against its IP (`id` to forget it on success), or a refusal. */
export type VerifyAttempt = { ok: true; id: number } | { ok: false; retryAfterSeconds: number };

export type SendAllowance = { ok: true } | { ok: false; scope: "ip" | "tenant"; retryAfterSeconds: number };

/**
 * Counts an attempt in `bucket`, or refuses it when the last hour's reached `limit`.
 * @example
 * takeAttempt(sql, "ip:203.0.113.7", 30, Date.now()) // { ok: true, id: 41 }
 */
export function takeAttempt(sql: SqlStorage, bucket: string, limit: number, now: number): VerifyAttempt {
  sql.exec("DELETE FROM verify_attempts WHERE at <= ?", now - HOUR_MS);
  const counted = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM verify_attempts WHERE ip = ?", bucket).one();
  if (counted.n >= limit) return { ok: false, retryAfterSeconds: retryAfter(counted.first, now) };
  const { id } = sql.exec<{ id: number }>("INSERT INTO verify_attempts (at, ip) VALUES (?, ?) RETURNING id", now, bucket).one();
  return { ok: true, id };
}

/** Forgets an attempt that succeeded: only unsuccessful ones add up. */
export function forgetAttempt(sql: SqlStorage, id: number): void {
  sql.exec("DELETE FROM verify_attempts WHERE id = ?", id);
}

/**
 * Counts one send against the client IP's and the tenant's hourly caps, or refuses it.
 * @example
 * takeSend(sql, "203.0.113.7", 20, 1000, Date.now()) // { ok: true }
 */
export function takeSend(sql: SqlStorage, ip: string, perIpPerHour: number, perTenantPerHour: number, now: number): SendAllowance {
  sql.exec("DELETE FROM sends WHERE at <= ?", now - HOUR_MS);
  const tenant = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends").one();
  if (tenant.n >= perTenantPerHour) return { ok: false, scope: "tenant", retryAfterSeconds: retryAfter(tenant.first, now) };
  const byIp = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends WHERE ip = ?", ip).one();
  if (byIp.n >= perIpPerHour) return { ok: false, scope: "ip", retryAfterSeconds: retryAfter(byIp.first, now) };
  sql.exec("INSERT INTO sends (at, ip) VALUES (?, ?)", now, ip);
  return { ok: true };
}

/** Seconds until the oldest counted entry (`first`) is an hour old. */
function retryAfter(first: number | null, now: number): number {
  return Math.max(1, Math.ceil(((first ?? now) + HOUR_MS - now) / 1000));
}
