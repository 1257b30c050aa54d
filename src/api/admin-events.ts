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
 * needs the scope `replayScope` names for the message (the console's Replay button follows it).
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { DeadLetterId, deadEventsPage, replayDeadEvent, replayScope } from "../flows/dead-events";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { requireScope, requireScopeOf } from "./admin-auth";
import { DeadEvent, DeadEventsQuery } from "./admin-schemas";
import { answers, pageOf, paramsOf, queryOf } from "./route-declarations";

export const adminEvents = new Hono<AdminEnv>();

adminEvents.get(
  "/events/dead",
  requireScope("audit:read"),
  answers("The event stream's dead letters: messages every delivery of which failed", [200, "Newest first", pageOf("events", DeadEvent)]),
  queryOf(DeadEventsQuery),
  async (c) => c.json(await deadEventsPage(c.env, c.var.tenant.tenantId, c.req.valid("query"))),
);

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
