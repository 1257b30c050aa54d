/**
 * @module
 * A tenant's webhooks as the admin API's `/webhooks` manages them: where events are posted (a
 * public https endpoint: never an address only the worker's network reaches, since the tenant's
 * events would be posted there; development allows loopback), which types each wants, and its
 * signing secret, shown once when made or rotated. A ping goes through the same queue and
 * consumer as every event (`webhook-delivery.ts`), within the tenant's budget a minute.
 */
import * as z from "zod";
import { isDevelopment } from "../config/deployment";
import { type EndpointRefusal, endpointRefusal, refusedEndpoint } from "../config/unsafe-destinations";
import { validationProblem } from "../lib/json-body";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { type PingAllowance, tenantState } from "../state/tenant";
import { PINGS_PER_MINUTE } from "../state/tenant/webhook-pings";
import { MAX_WEBHOOKS_PER_TENANT } from "../state/tenant/webhooks";
import type { WebhookAttemptView, WebhookView } from "../state/tenant/views";
import type { RequestOrigin } from "../state/user/audit";
import { EventTypePattern, pingPayload, webhookDelivery } from "../state/webhook-messages";

const MAX_URL_CHARS = 2048;
/**
 * What a URL parser drops or re-spells unseen: `fetch` removes a tab or line break anywhere, so
 * `https://siem.acme.example<tab>.evil.example/` would be listed as one host and posted to another.
 */
const CONTROL_OR_SPACE = /[\p{Cc}\s]/u;

/**
 * An endpoint, stored and shown as it is fetched (`new URL(url).href`: the host lower-cased and
 * in punycode, an ideographic full stop a dot, `/a/../b` resolved), after refusing what the
 * parser would drop. Not a URL at all is left for the destination check to refuse, naming why.
 */
const WebhookUrl = z
  .string()
  .trim()
  .min(1)
  .max(MAX_URL_CHARS)
  .refine((url) => !CONTROL_OR_SPACE.test(url), "no spaces, tabs, line breaks or control characters: a URL parser drops them unseen")
  .transform((url) => (URL.canParse(url) ? new URL(url).href : url))
  .pipe(z.string().max(MAX_URL_CHARS))
  .describe(
    "Where deliveries are posted: an https URL to a public host (development allows http and loopback), without spaces or control characters; stored and shown as it is fetched (`new URL(url).href`).",
  );
const EventTypes = z
  .array(EventTypePattern)
  .min(1)
  .max(20)
  .transform((types) => [...new Set(types)])
  .describe("The event types it wants: exact (`verify.failed`), a prefix (`verify.*`: every type under it), or `*` for every event.");
const Description = z
  .string()
  .trim()
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, "no control characters")
  .describe("What it is for, for the admins who read the list.");

/** `POST /webhooks`. */
export const WebhookRequest = z.strictObject({
  url: WebhookUrl,
  eventTypes: EventTypes,
  description: Description.default(""),
  enabled: z.boolean().default(true).describe("Off: no event is delivered to it (a ping still is)."),
});
export type WebhookRequest = z.output<typeof WebhookRequest>;

/** `PATCH /webhooks/:id`: any of a webhook's settings; turning it on again clears why stepgate turned it off. */
export const WebhookChange = z
  .strictObject({ url: WebhookUrl, eventTypes: EventTypes, description: Description, enabled: z.boolean() })
  .partial()
  .refine((change) => Object.keys(change).length > 0, "name at least one of url, eventTypes, description, enabled");
export type WebhookChange = z.output<typeof WebhookChange>;

/** Who acts, and from where: recorded in the audit trail. */
export interface WebhookAdmin {
  actor: string;
  origin: RequestOrigin;
}

/**
 * Why stepgate will not post to `url`, or `null`: what {@link createWebhook} and
 * {@link changeWebhook} refuse with a 422 naming `#/url`. The console asks first, to say it
 * beside the field in the page's language with the form's other refusals.
 */
export function webhookUrlRefusal(env: Env, url: string): EndpointRefusal | null {
  return endpointRefusal(url, { development: isDevelopment(env) });
}

/** A 422 naming `#/url` when stepgate will not post there. */
function checkDestination(env: Env, url: string): void {
  const refused = refusedEndpoint(url, { development: isDevelopment(env) });
  if (refused) throw validationProblem([{ pointer: "#/url", detail: refused }], 422);
}

/** `found`, or a 404 `webhook_not_found` for the `null` the tenant's object answers for an unknown id. */
function orNotFound<T>(found: T | null): T {
  if (found === null) throw new ProblemError(404, "webhook_not_found", "No webhook with this id.");
  return found;
}

/**
 * Makes a webhook; its secret is in the answer and nowhere else. A 422 names `#/url` for a
 * destination stepgate refuses; a 409 `too_many_webhooks` past {@link MAX_WEBHOOKS_PER_TENANT}.
 * @example
 * const made = await createWebhook(c.env, tenantId, { url: "https://hooks.example.com/sg", eventTypes: ["verify.*"], description: "", enabled: true }, admin);
 */
export async function createWebhook(env: Env, tenantId: string, request: WebhookRequest, admin: WebhookAdmin): Promise<WebhookView & { secret: string }> {
  checkDestination(env, request.url);
  const made = await reachState(() => tenantState(env, tenantId).createWebhook({ ...request, ...admin }));
  if (!made) throw new ProblemError(409, "too_many_webhooks", `A tenant has at most ${MAX_WEBHOOKS_PER_TENANT} webhooks; delete one first.`);
  return made;
}

/** The tenant's webhooks, oldest first, never their secrets. */
export function listWebhooks(env: Env, tenantId: string): Promise<WebhookView[]> {
  return reachState(() => tenantState(env, tenantId).webhooks());
}

/** One webhook, or a 404. */
export async function readWebhook(env: Env, tenantId: string, id: string): Promise<WebhookView> {
  return orNotFound(await reachState(() => tenantState(env, tenantId).webhook(id)));
}

/** Changes a webhook's settings (a 422 naming `#/url` as at creation), or a 404. */
export async function changeWebhook(env: Env, tenantId: string, id: string, change: WebhookChange, admin: WebhookAdmin): Promise<WebhookView> {
  if (change.url !== undefined) checkDestination(env, change.url);
  return orNotFound(await reachState(() => tenantState(env, tenantId).updateWebhook(id, change, admin.actor, admin.origin)));
}

/** Deletes a webhook at once (deliveries already queued for it are dropped), or a 404. */
export async function deleteWebhook(env: Env, tenantId: string, id: string, admin: WebhookAdmin): Promise<void> {
  orNotFound((await reachState(() => tenantState(env, tenantId).deleteWebhook(id, admin.actor, admin.origin))) || null);
}

/** A new secret, shown this once; the previous one signs beside it for 24 hours. Or a 404. */
export async function rotateWebhookSecret(env: Env, tenantId: string, id: string, admin: WebhookAdmin): Promise<WebhookView & { secret: string }> {
  return orNotFound(await reachState(() => tenantState(env, tenantId).rotateWebhookSecret(id, admin.actor, admin.origin)));
}

/**
 * Queues a `webhook.test` event for one webhook, signed like any other and listed in its
 * deliveries, but tried once (`webhook-delivery.ts`); audited as `webhook.tested`. Answers the
 * ping's event id; a 404 for an unknown webhook; a 429 `ping_limit` with `Retry-After` past the
 * tenant's {@link PINGS_PER_MINUTE}.
 */
export async function pingWebhook(env: Env, tenantId: string, id: string, admin: WebhookAdmin): Promise<{ eventId: string }> {
  const delivery = webhookDelivery(tenantId, id, pingPayload(tenantId, id, Date.now()));
  const allowance = orNotFound(
    await reachState<PingAllowance | null>(() => tenantState(env, tenantId).takeWebhookPing(id, delivery.payload.id, admin.actor, admin.origin)),
  );
  if (!allowance.ok) {
    const { retryAfterSeconds } = allowance;
    throw new ProblemError(
      429,
      "ping_limit",
      `This tenant may send ${PINGS_PER_MINUTE} test events a minute; try again in ${retryAfterSeconds} s.`,
      { limit: PINGS_PER_MINUTE, retryAfterSeconds },
      { "Retry-After": String(retryAfterSeconds) },
    );
  }
  await reachState(() => env.WEBHOOKS.send(delivery, { contentType: "json" }));
  return { eventId: delivery.payload.id };
}

/** Each webhook's newest delivery attempt, by webhook id (a webhook never tried is absent). */
export function lastWebhookAttempts(env: Env, tenantId: string): Promise<Record<string, WebhookAttemptView>> {
  return reachState(() => tenantState(env, tenantId).lastWebhookAttempts());
}

/** The webhook's last attempts, newest first, or a 404. */
export async function webhookAttempts(env: Env, tenantId: string, id: string): Promise<WebhookAttemptView[]> {
  return orNotFound(await reachState(() => tenantState(env, tenantId).webhookAttempts(id)));
}
