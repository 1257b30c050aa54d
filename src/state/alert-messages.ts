/**
 * @module
 * A message on the `stepgate-notifications` queue (docs/notifications.md): the stream's event that
 * warrants a security alert to its user, wrapped with an id of its own, so that when its alert
 * could not be sent it is kept as a dead letter beside the event's other copies (the stream's, a
 * webhook's), listed and replayed to this queue alone.
 */
import * as z from "zod";
import { StreamEvent } from "./events";

/** `alert.` and the event's id. */
export const AlertDeliveryId = z
  .string()
  .regex(/^alert\.[ut]-[0-9a-f]{1,64}-\d{1,16}$/)
  .describe("An alert's id: `alert.<event id>`.");

/** A message on the `stepgate-notifications` queue. Changing it: add optional fields only (messages outlive a deploy). */
export const AlertDelivery = z.object({
  kind: z.literal("alert"),
  id: AlertDeliveryId,
  tenantId: z.string().min(1),
  event: StreamEvent,
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;

/**
 * The alert of `event`, to be sent once.
 * @example
 * alertDelivery(event) // { kind: "alert", id: "alert.u-9f3c…-42", tenantId: "acme", event }
 */
export function alertDelivery(event: StreamEvent): AlertDelivery {
  return { kind: "alert", id: `alert.${event.id}`, tenantId: event.tenantId, event };
}
