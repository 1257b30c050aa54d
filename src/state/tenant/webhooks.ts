/**
 * @module
 * The tenant's webhooks in its Durable Object: each endpoint, the event types it asks for, and
 * its signing secret, sealed under stepgate's key (bound to the tenant and the webhook, so a
 * sealed secret copied to another row does not open). A secret is shown once, when made; after
 * a rotation the previous one keeps signing beside it for {@link PREVIOUS_SECRET_MS}, so a
 * receiver can move to the new one without dropping a delivery.
 */
import { newWebhookSecret } from "../../lib/standard-webhooks";
import { iso } from "../../lib/iso-time";
import { seal, unseal } from "../../lib/sealed";
import type { RequestOrigin } from "../user/audit";
import type { TenantContext } from "./context";
import type { WebhookView } from "./views";

/** How many webhooks a tenant may have: each event is one queue message and one POST per webhook that wants it. */
export const MAX_WEBHOOKS_PER_TENANT = 20;
/** How long the replaced secret still signs after a rotation. */
export const PREVIOUS_SECRET_MS = 24 * 3_600_000;

/** What an admin sets on a webhook. */
export interface WebhookSettings {
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
}

type WebhookRow = {
  id: string;
  url: string;
  event_types: string;
  description: string;
  enabled: number;
  disabled_reason: string | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_until: number;
  created_at: number;
  created_by: string;
};

/** Where a webhook's secrets are sealed: the tenant and the webhook. */
const sealContext = (tenantId: string, webhookId: string) => `webhook:${tenantId}:${webhookId}`;

/** A new secret for webhook `id`, sealed for storing; the caller shows `secret` once. */
async function newSealedSecret(tenant: TenantContext, id: string): Promise<{ secret: string; sealed: string }> {
  const secret = newWebhookSecret();
  return { secret, sealed: await seal(tenant.env, secret, sealContext(tenant.tenantId, id)) };
}

/**
 * Makes a webhook, audited as the admin's; its signing secret is in the answer and nowhere
 * else. `null` when the tenant has {@link MAX_WEBHOOKS_PER_TENANT}.
 * @example
 * await createWebhook(tenant, { url, eventTypes: ["verify.*"], description: "", enabled: true, actor: "bootstrap", origin }, Date.now())
 */
export async function createWebhook(
  tenant: TenantContext,
  input: WebhookSettings & { actor: string; origin: RequestOrigin },
  now: number,
): Promise<(WebhookView & { secret: string }) | null> {
  const { actor, origin, ...settings } = input;
  const id = `wh_${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  const { secret, sealed } = await newSealedSecret(tenant, id);
  const { sql } = tenant;
  // Counted and inserted in one synchronous step after the sealing: parallel creations cannot pass the limit.
  if (sql.exec<{ n: number }>("SELECT count(*) AS n FROM webhooks").one().n >= MAX_WEBHOOKS_PER_TENANT) return null;
  sql.exec(
    "INSERT INTO webhooks (id, url, event_types, description, enabled, secret_sealed, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    id,
    settings.url,
    JSON.stringify(settings.eventTypes),
    settings.description,
    settings.enabled ? 1 : 0,
    sealed,
    now,
    actor,
  );
  tenant.record(now, "webhook.created", actor, origin, { webhookId: id, url: settings.url, eventTypes: settings.eventTypes, enabled: settings.enabled });
  return { ...webhookView(sql, id, now)!, secret };
}

/** Every webhook, oldest first. */
export function listWebhooks(sql: SqlStorage, now: number): WebhookView[] {
  return sql
    .exec<WebhookRow>("SELECT * FROM webhooks ORDER BY created_at, id")
    .toArray()
    .map((row) => viewOf(row, now));
}

export function webhookView(sql: SqlStorage, id: string, now: number): WebhookView | null {
  const row = webhookRow(sql, id);
  return row ? viewOf(row, now) : null;
}

/**
 * Changes what an admin sets (audited with the fields changed); turning a webhook on again
 * clears why stepgate turned it off. `null` for an unknown id.
 */
export function updateWebhook(
  tenant: TenantContext,
  id: string,
  change: Partial<WebhookSettings>,
  by: { actor: string; origin: RequestOrigin },
  now: number,
): WebhookView | null {
  const { sql } = tenant;
  const row = webhookRow(sql, id);
  if (!row) return null;
  const enabled = change.enabled ?? row.enabled === 1;
  sql.exec(
    "UPDATE webhooks SET url = ?, event_types = ?, description = ?, enabled = ?, disabled_reason = ? WHERE id = ?",
    change.url ?? row.url,
    change.eventTypes ? JSON.stringify(change.eventTypes) : row.event_types,
    change.description ?? row.description,
    enabled ? 1 : 0,
    change.enabled === undefined ? row.disabled_reason : null,
    id,
  );
  tenant.record(now, "webhook.updated", by.actor, by.origin, { webhookId: id, ...change });
  return webhookView(sql, id, now);
}

/** Turns a webhook off because its endpoint said it is gone (410); `false` when it was off already or is unknown. */
export function disableGoneWebhook(sql: SqlStorage, id: string): boolean {
  return sql.exec("UPDATE webhooks SET enabled = 0, disabled_reason = 'gone' WHERE id = ? AND enabled = 1", id).rowsWritten > 0;
}

/** Deletes a webhook and what was kept of its deliveries, audited as the admin's; `false` for an unknown id. */
export function deleteWebhook(tenant: TenantContext, id: string, by: { actor: string; origin: RequestOrigin }, now: number): boolean {
  const { sql } = tenant;
  const deleted = sql.exec("DELETE FROM webhooks WHERE id = ?", id).rowsWritten > 0;
  if (deleted) {
    sql.exec("DELETE FROM webhook_attempts WHERE webhook_id = ?", id);
    sql.exec("DELETE FROM webhook_delivered WHERE webhook_id = ?", id);
    tenant.record(now, "webhook.deleted", by.actor, by.origin, { webhookId: id });
  }
  return deleted;
}

/**
 * Puts a new sealed secret in place, audited as the admin's; the current one becomes the
 * previous, signing beside it until {@link PREVIOUS_SECRET_MS} from now (one rotated earlier is
 * dropped: two at most). The new secret is in the answer and nowhere else; `null` for an unknown id.
 */
export async function rotateWebhookSecret(
  tenant: TenantContext,
  id: string,
  by: { actor: string; origin: RequestOrigin },
  now: number,
): Promise<(WebhookView & { secret: string }) | null> {
  const { secret, sealed } = await newSealedSecret(tenant, id);
  const { sql } = tenant;
  const written = sql.exec(
    "UPDATE webhooks SET previous_secret_sealed = secret_sealed, previous_until = ?, secret_sealed = ? WHERE id = ?",
    now + PREVIOUS_SECRET_MS,
    sealed,
    id,
  ).rowsWritten;
  const view = written > 0 ? webhookView(sql, id, now) : null;
  if (!view) return null;
  tenant.record(now, "webhook.rotated", by.actor, by.origin, { webhookId: id, previousSecretValidUntil: view.previousSecretValidUntil });
  return { ...view, secret };
}

/** The enabled webhooks and what each asks for: what the stream's webhook sink fans events out to. */
export function webhookTargets(sql: SqlStorage): Array<{ id: string; eventTypes: string[] }> {
  return sql
    .exec<{ id: string; event_types: string }>("SELECT id, event_types FROM webhooks WHERE enabled = 1")
    .toArray()
    .map((row) => ({ id: row.id, eventTypes: JSON.parse(row.event_types) as string[] }));
}

/** Where to post and what to sign with: the current secret and, during a rotation's overlap, the previous one. */
export interface WebhookEndpoint {
  url: string;
  enabled: boolean;
  secrets: string[];
}

/** The endpoint of webhook `id`, its secrets opened, or `null` when it was deleted. */
export async function webhookEndpoint(env: Env, sql: SqlStorage, tenantId: string, id: string, now: number): Promise<WebhookEndpoint | null> {
  const row = webhookRow(sql, id);
  if (!row) return null;
  const sealed = [row.secret_sealed, ...(row.previous_secret_sealed && row.previous_until > now ? [row.previous_secret_sealed] : [])];
  const secrets = await Promise.all(sealed.map((value) => unseal(env, value, sealContext(tenantId, id))));
  return { url: row.url, enabled: row.enabled === 1, secrets };
}

function webhookRow(sql: SqlStorage, id: string): WebhookRow | null {
  return sql.exec<WebhookRow>("SELECT * FROM webhooks WHERE id = ?", id).toArray()[0] ?? null;
}

function viewOf(row: WebhookRow, now: number): WebhookView {
  return {
    id: row.id,
    // Stored as fetched (`flows/webhooks.ts`); one stored before that, with a tab or line break in
    // it, is shown as `fetch` reads it too: what an admin sees is where the events go.
    url: URL.canParse(row.url) ? new URL(row.url).href : row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason === "gone" ? "gone" : null,
    createdAt: iso(row.created_at),
    createdBy: row.created_by,
    previousSecretValidUntil: row.previous_secret_sealed && row.previous_until > now ? iso(row.previous_until) : null,
  };
}
