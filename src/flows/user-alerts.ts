/**
 * @module
 * The consumer of the `stepgate-notifications` queue (docs/notifications.md): each event there
 * warrants a security alert to its user. The user's object claims it (once per event id, within
 * the kind's hourly budget, to an address it knows, in the language and time zone it remembers);
 * the alert is written here and delivered through the tenant's provider, as codes are; then the
 * object is told it left, or that it did not (so the next try claims it again). An alert that
 * fails is retried with backoff, then goes to `stepgate-notifications-dead`, whose consumer
 * (`dead-events.ts`) keeps it in the tenant's object with the other dead letters, listed
 * and replayable (`queue: "stepgate-notifications"`).
 */
import { isDevelopment } from "../config/deployment";
import type { Language } from "../config/languages";
import type { Policy } from "../config/policy-schema";
import { type AlertFacts, alertMessage, isAlertType } from "../factors/alert-message";
import { deliver } from "../providers/deliver";
import { AlertDelivery } from "../state/alert-messages";
import type { StreamEvent } from "../state/events";
import { type AlertAddress, type AlertChannel, type AlertClaim, userState } from "../state/user";
import { alertKindOf } from "./alert-events";
import { retryDelaySeconds } from "./event-stream";
import { messageLanguage } from "./language-words";
import { groupByTenant, readBodies } from "./queue-batch";
import { tenantPolicy } from "./tenant-policy";

/** The queue this consumes (wrangler.jsonc `queues.consumers`). */
export const NOTIFICATIONS_QUEUE = "stepgate-notifications";

/** What became of an event's alert: sent now, or why not (see `AlertClaim`); `off`: its switch is off now. */
export type AlertOutcome = "sent" | "off" | Exclude<AlertClaim, { ok: true }>["reason"];

/**
 * The `stepgate-notifications` consumer: each message's alert, acknowledged once it is sent (or
 * needs none), retried with backoff when it could not be (see the module note).
 * @example
 * if (batch.queue === NOTIFICATIONS_QUEUE) await consumeAlerts(batch, env);
 */
export async function consumeAlerts(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const groups = groupByTenant(readBodies(batch, AlertDelivery, "alert", retryDelaySeconds), (read) => read.body.tenantId);
  await Promise.all(
    [...groups].map(async ([tenantId, group]) => {
      // One read of the tenant's policy for its share of the batch; each message is then on its own.
      const config = tenantPolicy(env, tenantId);
      await Promise.all(
        group.map(async ({ message, body: alert }) => {
          try {
            const tenant = await config;
            // The tenant is gone: no one to send for, nor anything to send through.
            if (tenant === null) return message.ack();
            if (tenant.status !== "ok") throw new Error(`stepgate: tenant ${JSON.stringify(tenantId)} ${tenant.reason}`);
            await alertUser(env, tenantId, tenant.policy, alert.event);
            message.ack();
          } catch (error) {
            console.error(`stepgate: the alert of event ${alert.event.id} was not sent; retrying`, error);
            message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
          }
        }),
      );
    }),
  );
}

/**
 * Sends the alert `event` warrants under `policy` as it is now, once: claimed in the user's object,
 * written in their language, delivered, then reported. Throws (to be retried) when it could not
 * be delivered, or while another delivery of the same event is sending it.
 * @example
 * await alertUser(env, "acme", policy, event) // "sent"
 */
export async function alertUser(env: Env, tenantId: string, policy: Policy, event: StreamEvent): Promise<AlertOutcome> {
  const kind = alertKindOf(event, policy.notifications);
  if (!kind || !event.userId || !isAlertType(event.type)) return "off";
  const user = userState(env, tenantId, event.userId);
  const claim = await user.claimAlert({
    eventId: event.id,
    type: event.type,
    kind,
    at: Date.parse(event.at),
    // A lock until an admin unlocks happens once until then: the user hears of it whatever else they heard.
    unlimited: event.type === "lockout.escalated",
    perKindPerHour: policy.notifications.perKindPerHour,
    channels: alertChannels(policy, isDevelopment(env)),
    addedFactorId: addedFactorOf(event),
  });
  if (!claim.ok) {
    if (claim.reason === "in_flight") throw new Error(`stepgate: the alert of event ${event.id} is being sent by another delivery`);
    return claim.reason;
  }
  const facts = { type: event.type, at: event.at, city: event.city, country: event.country, detail: event.detail };
  const { delivered, failed } = await sendToEach(env, tenantId, policy, facts, claim);
  if (failed) {
    await user.alertUndelivered({ eventId: event.id, type: event.type, to: delivered });
    throw failed.reason;
  }
  await user.alertDelivered({ eventId: event.id, type: event.type, to: delivered });
  return "sent";
}

/**
 * Writes the claimed alert in the user's language and delivers it to each of its addresses at
 * once; returns those it reached, and the first failure.
 */
async function sendToEach(
  env: Env,
  tenantId: string,
  policy: Policy,
  facts: AlertFacts,
  claim: Extract<AlertClaim, { ok: true }>,
): Promise<{ delivered: AlertAddress[]; failed?: PromiseRejectedResult }> {
  const { branding } = policy;
  let language: Language;
  try {
    language = await messageLanguage(env, claim.language && branding.languages.includes(claim.language) ? claim.language : branding.defaultLanguage);
  } catch (reason) {
    return { delivered: [], failed: { status: "rejected", reason } };
  }
  const results = await Promise.allSettled(
    claim.to.map(async (address) => {
      const message = alertMessage(
        language,
        address.channel,
        facts,
        { tenant: branding.name, help: branding.supportUrl ?? branding.supportEmail ?? null, timeZone: claim.timeZone },
        branding.text[language],
      );
      await deliver(env, tenantId, policy, { channel: address.channel, to: address.to, ...message, code: null });
      return address;
    }),
  );
  return {
    delivered: results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])),
    failed: results.find((result): result is PromiseRejectedResult => result.status === "rejected"),
  };
}

/**
 * The factor an event added — a way in that may be an intruder's: its own address is not told
 * of it, every older one is (as Google and Microsoft tell of a new sign-in method).
 */
function addedFactorOf(event: StreamEvent): string | null {
  if (event.type !== "factor.enrolled" && event.type !== "factor.replaced") return null;
  const factorId = event.detail.factorId;
  // Every event that adds a factor names it; were one not to, no address is left out, and each older one is still told.
  return typeof factorId === "string" ? factorId : "";
}

/**
 * The channels the tenant's providers deliver on: email through SMTP or Resend, text through
 * Twilio; either through the dev outbox in development (where it is the default provider).
 * @example
 * alertChannels(policy, false) // ["email"] for a tenant with SMTP and no Twilio
 */
export function alertChannels(policy: Pick<Policy, "factors">, development: boolean): AlertChannel[] {
  const { email, sms } = policy.factors;
  return [
    ...(email.provider !== "outbox" || development ? (["email"] as const) : []),
    ...((sms.provider === "twilio" && sms.twilio) || development ? (["sms"] as const) : []),
  ];
}
