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
  sql.exec("DELETE FROM sends WHERE at <= ?", now - HOUR_MS);
  const tenant = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends").one();
  if (tenant.n >= perTenantPerHour) return { ok: false, scope: "tenant", retryAfterSeconds: retryAfterSeconds(tenant.first, now) };
  const byIp = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends WHERE ip = ?", ip).one();
  if (byIp.n >= perIpPerHour) return { ok: false, scope: "ip", retryAfterSeconds: retryAfterSeconds(byIp.first, now) };
  sql.exec("INSERT INTO sends (at, ip) VALUES (?, ?)", now, ip);
  return { ok: true };
}
