/**
 * @module
 * The tenant's hourly send caps, counted in its Durable Object across all its users: code sends
 * per tenant and per client IP (`sends`, against SMS pumping and mail bombing). Each check and
 * its count happen in one synchronous step, so parallel requests never get past a cap.
 *
 * The per-tenant cap is what keeps this in one object: it exists to bound a tenant's SMS bill,
 * so every send of the tenant is counted in one place (docs/scaling.md says what that costs).
 */
import { HOUR_MS, retryAfterSeconds } from "../hourly-attempts";

export type SendAllowance = { ok: true } | { ok: false; scope: "ip" | "tenant"; retryAfterSeconds: number };

/**
 * Counts one send against the client IP's and the tenant's hourly caps, or refuses it.
 * @example
 * takeSend(sql, "203.0.113.7", 20, 1000, Date.now()) // { ok: true }
 */
export function takeSend(sql: SqlStorage, ip: string, perIpPerHour: number, perTenantPerHour: number, now: number): SendAllowance {
  // The hour's count is kept in `sends_count` as rows come and go, so a send costs the same with
  // 100 or 100,000 sends in the hour (counting them took 6–13 ms at 100,000: docs/scaling.md).
  const expired = sql.exec("DELETE FROM sends WHERE at <= ? RETURNING at", now - HOUR_MS).toArray().length;
  if (expired > 0) sql.exec("UPDATE sends_count SET n = n - ? WHERE id = 0", expired);
  const count = sql.exec<{ n: number }>("SELECT n FROM sends_count WHERE id = 0").one().n;
  if (count >= perTenantPerHour) {
    const first = sql.exec<{ first: number | null }>("SELECT min(at) AS first FROM sends").one().first;
    return { ok: false, scope: "tenant", retryAfterSeconds: retryAfterSeconds(first, now) };
  }
  // One address's sends are few (at most its own cap), so they are counted as they are.
  const byIp = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends WHERE ip = ?", ip).one();
  if (byIp.n >= perIpPerHour) return { ok: false, scope: "ip", retryAfterSeconds: retryAfterSeconds(byIp.first, now) };
  sql.exec("INSERT INTO sends (at, ip) VALUES (?, ?)", now, ip);
  sql.exec("UPDATE sends_count SET n = n + 1 WHERE id = 0");
  return { ok: true };
}
