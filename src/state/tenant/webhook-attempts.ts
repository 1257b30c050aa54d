/**
 * @module
 * What the tenant's object keeps of its webhooks' deliveries: the last
 * {@link WEBHOOK_ATTEMPTS_KEPT} attempts of each webhook (for the admin to see what its endpoint
 * answered), and which events each webhook has taken, so a queue message delivered again after
 * a success (the queue is at least once) is not posted twice.
 *
 * The "taken" marks are kept as long as the audit ({@link TENANT_AUDIT_DAYS} days: an event
 * replayed from the stream's dead letters may come back that late), and at most
 * {@link DELIVERED_MARKS_KEPT}.
 */
import { iso } from "../../lib/iso-time";
import { TENANT_AUDIT_DAYS } from "./audit";
import type { TenantContext } from "./context";
import type { WebhookAttemptView } from "./views";
import { disableGoneWebhook, type WebhookEndpoint, webhookEndpoint, webhookView } from "./webhooks";

/** Attempts listed per webhook (`GET /webhooks/:id/deliveries`). */
export const WEBHOOK_ATTEMPTS_KEPT = 50;
export const DELIVERED_MARKS_KEPT = 200_000;
const DAY_MS = 86_400_000;

/** One attempt, as the consumer reports it. */
export interface WebhookAttempt {
  webhookId: string;
  eventId: string;
  type: string;
  attempt: number;
  /** The endpoint's HTTP status, or `null` with `error` when it gave none. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Whether the endpoint took it: any 2xx. */
export const isDelivered = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * Where and how to deliver event `eventId` to webhook `webhookId`, and whether it took it
 * already; `null` once the webhook is deleted.
 * @example
 * await deliveryTarget(tenant, "wh_0123456789abcdef", "u-9f3c…-42", Date.now()) // { url, enabled: true, secrets: ["whsec_…"], delivered: false }
 */
export async function deliveryTarget(
  tenant: TenantContext,
  webhookId: string,
  eventId: string,
  now: number,
): Promise<(WebhookEndpoint & { delivered: boolean }) | null> {
  const endpoint = await webhookEndpoint(tenant.env, tenant.sql, tenant.tenantId, webhookId, now);
  return endpoint && { ...endpoint, delivered: wasDelivered(tenant.sql, webhookId, eventId) };
}

/**
 * Keeps an attempt (and only the newest {@link WEBHOOK_ATTEMPTS_KEPT} of its webhook), and marks
 * the event taken when the endpoint took it; nothing for a webhook deleted meanwhile. A 410 Gone
 * turns the webhook off (audited as `webhook.disabled`, by no one): its endpoint says it will never take another.
 * @example
 * recordAttempt(tenant, { webhookId, eventId, type: "verify.failed", attempt: 1, status: 204, error: null, durationMs: 31 }, Date.now());
 */
export function recordAttempt(tenant: TenantContext, attempt: WebhookAttempt, now: number): void {
  const { sql } = tenant;
  if (!webhookView(sql, attempt.webhookId, now)) return;
  sql.exec(
    "INSERT INTO webhook_attempts (webhook_id, event_id, type, attempt, status, error, duration_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    attempt.webhookId,
    attempt.eventId,
    attempt.type,
    attempt.attempt,
    attempt.status,
    attempt.error,
    attempt.durationMs,
    now,
  );
  const oldestKept = sql
    .exec<{ seq: number }>(
      "SELECT seq FROM webhook_attempts WHERE webhook_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?",
      attempt.webhookId,
      WEBHOOK_ATTEMPTS_KEPT - 1,
    )
    .toArray()[0];
  if (oldestKept) sql.exec("DELETE FROM webhook_attempts WHERE webhook_id = ? AND seq < ?", attempt.webhookId, oldestKept.seq);
  if (isDelivered(attempt.status)) markDelivered(sql, attempt.webhookId, attempt.eventId, now);
  if (attempt.status === 410 && disableGoneWebhook(sql, attempt.webhookId)) {
    tenant.record(now, "webhook.disabled", null, { ip: null, userAgent: null }, { webhookId: attempt.webhookId, reason: "gone", status: 410 });
  }
}

function markDelivered(sql: SqlStorage, webhookId: string, eventId: string, now: number): void {
  sql.exec("INSERT OR IGNORE INTO webhook_delivered (webhook_id, event_id, at) VALUES (?, ?, ?)", webhookId, eventId, now);
  sql.exec("DELETE FROM webhook_delivered WHERE at < ?", now - TENANT_AUDIT_DAYS * DAY_MS);
  const newest = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM webhook_delivered").one().seq ?? 0;
  if (newest > DELIVERED_MARKS_KEPT) sql.exec("DELETE FROM webhook_delivered WHERE seq <= ?", newest - DELIVERED_MARKS_KEPT);
}

/** Whether webhook `webhookId` has taken event `eventId` already. */
function wasDelivered(sql: SqlStorage, webhookId: string, eventId: string): boolean {
  return sql.exec("SELECT 1 FROM webhook_delivered WHERE webhook_id = ? AND event_id = ?", webhookId, eventId).toArray().length > 0;
}

type AttemptRow = { event_id: string; type: string; attempt: number; status: number | null; error: string | null; duration_ms: number; at: number };

/** The webhook's last attempts, newest first; `null` for an unknown id. */
export function listAttempts(sql: SqlStorage, webhookId: string, now: number): WebhookAttemptView[] | null {
  if (!webhookView(sql, webhookId, now)) return null;
  return sql
    .exec<AttemptRow>(
      "SELECT event_id, type, attempt, status, error, duration_ms, at FROM webhook_attempts WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?",
      webhookId,
      WEBHOOK_ATTEMPTS_KEPT,
    )
    .toArray()
    .map(attemptView);
}

/** Each webhook's newest attempt, by webhook id: what the console's list of webhooks shows. */
export function lastAttempts(sql: SqlStorage): Record<string, WebhookAttemptView> {
  const rows = sql
    .exec<AttemptRow & { webhook_id: string }>(
      "SELECT webhook_id, event_id, type, attempt, status, error, duration_ms, at FROM webhook_attempts WHERE seq IN (SELECT max(seq) FROM webhook_attempts GROUP BY webhook_id)",
    )
    .toArray();
  return Object.fromEntries(rows.map((row) => [row.webhook_id, attemptView(row)]));
}

function attemptView(row: AttemptRow): WebhookAttemptView {
  return {
    eventId: row.event_id,
    type: row.type,
    attempt: row.attempt,
    status: row.status,
    error: row.error,
    delivered: isDelivered(row.status),
    durationMs: row.duration_ms,
    at: iso(row.at),
  };
}
