/**
 * @module
 * `GET /events/dead` and `POST /events/dead/:id/replay`: the dead letters of the event stream
 * and of the alerts to users (docs/events.md, docs/notifications.md), messages every delivery of
 * which failed, listed with the queue they died on and published to it again.
 *
 * Listing needs `audit:read`: a dead message is an audit entry the trail would have shown (a
 * directory change is listed by user and version only; its row is `users:read`'s). Replaying
 * needs `policy:write`, not a read scope: it delivers records again to every consumer of the
 * stream, so it belongs to whoever decides where the tenant's events go (today the policy's
 * owners; webhooks bring a scope of their own).
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { deadEventsPage, replayDeadEvent } from "../flows/dead-events";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { DeadEvent, DeadEventsQuery, MessageId } from "./admin-schemas";
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
  requireScope("policy:write"),
  answers(
    "Publish a dead letter again, to the queue it died on (its consumers dedupe it by id); an event dead on two queues is replayed to both",
    [
      200,
      "Replayed",
      z.object({ id: MessageId, replayed: z.literal(true), queues: z.array(DeadEvent.shape.queue).describe("The queues it was published to.") }),
    ],
    {
      problems: [404],
    },
  ),
  paramsOf(z.object({ id: MessageId })),
  async (c) => {
    const { id } = c.req.valid("param");
    const queues = await replayDeadEvent(c.env, c.var.tenant.tenantId, id, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    if (queues.length === 0) throw new ProblemError(404, "event_not_found", "No dead event with this id.");
    return c.json({ id, replayed: true as const, queues });
  },
);
