/**
 * @module
 * The tenant's budget of pings (`POST /webhooks/:id/test`): {@link PINGS_PER_MINUTE} a minute
 * across all its webhooks. A ping is a POST to a URL the admin chose, on the queue every tenant
 * shares; without a budget one `webhooks:write` key could queue them by the thousand. As with
 * the hourly limits, the check and the count happen in one synchronous step, so parallel pings
 * never get past it; each ping let through is audited (`webhook.tested`).
 */
import type { RequestOrigin } from "../user/audit";
import type { TenantContext } from "./context";

/** Pings a tenant may send a minute, all its webhooks together. */
export const PINGS_PER_MINUTE = 10;
const MINUTE_MS = 60_000;

/** A ping let through, or refused past the budget (and when to try again). */
export type PingAllowance = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts a ping of event `eventId` to webhook `webhookId` against the minute's budget and audits
 * it as the admin's, or refuses it; `null` for an unknown webhook.
 * @example
 * takePing(tenant, "wh_0123456789abcdef", "p-9f3c…-1764581412345", { actor: "bootstrap", origin }, Date.now()) // { ok: true }
 */
export function takePing(
  tenant: TenantContext,
  webhookId: string,
  eventId: string,
  by: { actor: string; origin: RequestOrigin },
  now: number,
): PingAllowance | null {
  const { sql } = tenant;
  if (sql.exec("SELECT 1 FROM webhooks WHERE id = ?", webhookId).toArray().length === 0) return null;
  sql.exec("DELETE FROM webhook_pings WHERE at <= ?", now - MINUTE_MS);
  const counted = sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM webhook_pings").one();
  if (counted.n >= PINGS_PER_MINUTE) {
    // When the oldest counted ping is a minute old, one more fits.
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((counted.first ?? now) + MINUTE_MS - now) / 1000)) };
  }
  sql.exec("INSERT INTO webhook_pings (at) VALUES (?)", now);
  tenant.record(now, "webhook.tested", by.actor, by.origin, { webhookId, eventId });
  return { ok: true };
}
