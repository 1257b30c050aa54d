/**
 * @module
 * `GET /events/dead` and `POST /events/dead/:id/replay`: the event stream's dead letters
 * (docs/events.md), messages every delivery of which failed, listed and published again.
 *
 * The list holds the webhooks' dead deliveries too (`queue: "stepgate-webhooks"`), and the
 * security alerts to users that could not be sent (`queue: "stepgate-notifications"`).
 *
 * Listing needs `audit:read`: a dead message is an audit entry the trail would have shown (a
 * directory change is listed by user and version only; its row is `users:read`'s). Replaying
 * is no read: a stream message needs `policy:write` (it delivers records again to every consumer
 * of the stream, so it belongs to whoever decides where the tenant's events go), as does an
 * alert (it emails a user again, under the policy's `notifications`), a webhook delivery
 * `webhooks:write` (it posts to the tenant's endpoint again).
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { deadEventsPage, replayDeadEvent } from "../flows/dead-events";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { requireScope, requireScopeOf } from "./admin-auth";
import { AlertDeliveryId, type AdminScope, DeadEvent, DeadEventsQuery, DeliveryId, MessageId } from "./admin-schemas";
import { answers, pageOf, paramsOf, queryOf } from "./route-declarations";

export const adminEvents = new Hono<AdminEnv>();

adminEvents.get(
  "/events/dead",
  requireScope("audit:read"),
  answers("The event stream's dead letters: messages every delivery of which failed", [200, "Newest first", pageOf("events", DeadEvent)]),
  queryOf(DeadEventsQuery),
  async (c) => c.json(await deadEventsPage(c.env, c.var.tenant.tenantId, c.req.valid("query"))),
);

/** A dead letter's id: a stream message's, a webhook delivery's or an alert's. */
const DeadLetterId = z.union([MessageId, DeliveryId, AlertDeliveryId]);

/** The scope a replay of dead letter `id` needs: a webhook delivery's id names its webhook (`wh_….<event id>`). */
const replayScope = (id: string): AdminScope => (DeliveryId.safeParse(id).success ? "webhooks:write" : "policy:write");

adminEvents.post(
  "/events/dead/:id/replay",
  requireScopeOf((c) => replayScope(c.req.param("id") ?? ""), ["policy:write", "webhooks:write"]),
  answers(
    "Send a dead letter again: a stream message to the stream (its consumers dedupe it by id), a webhook delivery to its webhook, an alert to the alerts' queue",
    [200, "Replayed", z.object({ id: DeadLetterId, replayed: z.literal(true) })],
    {
      problems: [404],
    },
  ),
  paramsOf(z.object({ id: DeadLetterId })),
  async (c) => {
    const { id } = c.req.valid("param");
    const replayed = await replayDeadEvent(c.env, c.var.tenant.tenantId, id, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    if (!replayed) throw new ProblemError(404, "event_not_found", "No dead event with this id.");
    return c.json({ id, replayed: true as const });
  },
);
