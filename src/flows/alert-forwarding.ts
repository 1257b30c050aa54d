/**
 * @module
 * The event stream's sink for security alerts (docs/notifications.md): of each tenant's share of
 * a batch, the events that warrant an alert to their user under the tenant's `notifications`
 * switches are forwarded to the `stepgate-notifications` queue, whose consumer sends them
 * (`user-alerts.ts`) with retries and dead letters of its own. Forwarding is quick and fails only
 * when Queues or KV does; a slow or failing email provider never holds back the tenant's audit.
 *
 * A sink of the stream (`EventSink` in `event-stream.ts`, which lists it: it is that type by shape).
 */
import { NotificationsSchema, type NotificationSettings } from "../config/notification-settings";
import { alertDelivery } from "../state/alert-messages";
import { batchesOf, type EventMessage, type StreamEvent } from "../state/events";
import { alertKindOf, mayWarrantAlert } from "./alert-events";
import { tenantPolicy } from "./tenant-policy";

/** The switches as a policy without `notifications` has them: the security alerts on. */
const DEFAULT_SETTINGS = NotificationsSchema.parse(undefined);

/**
 * Forwards the events of a tenant's share that warrant an alert; reads the policy only when
 * some event might. Delivered again, it forwards them again: the consumer dedupes by event id.
 */
export const alertForwarding = {
  name: "user-alerts",
  async take(env: Env, tenantId: string, messages: readonly EventMessage[]): Promise<void> {
    const candidates = messages.filter((message): message is StreamEvent => message.kind === "event" && mayWarrantAlert(message));
    if (candidates.length === 0) return;
    const settings = await notificationSettings(env, tenantId);
    if (!settings) return;
    const alerts = candidates.filter((event) => alertKindOf(event, settings) !== null).map(alertDelivery);
    for (const batch of batchesOf(alerts)) await env.NOTIFICATIONS.sendBatch(batch.map((body) => ({ body, contentType: "json" as const })));
  },
};

/**
 * The tenant's switches. While its policy is invalid, the defaults: the alerts wait in their
 * queue, retried, for the policy to be fixed (they are sent under the policy as it is then, or
 * kept as dead letters), rather than be lost. A tenant with no policy at all has no alerts.
 */
async function notificationSettings(env: Env, tenantId: string): Promise<NotificationSettings | null> {
  const config = await tenantPolicy(env, tenantId);
  if (!config) return null;
  return config.status === "ok" ? config.policy.notifications : DEFAULT_SETTINGS;
}
