/**
 * @module
 * `/__stepgate/admin/dead-letters`: the tenant's undelivered events (`audit:read`, as the admin
 * API's `GET /events/dead`), paged, and `POST /dead-letters/:id/replay`, which sends one again
 * for an admin holding the scope that replay needs (`replayScope`, the admin API's rule),
 * audited with the admin as actor, and comes back to the list with a notice.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { ConsoleEnv } from "../app-env";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import { DeadLetterId, deadEventsPage, deadDeliveryAttempts, replayDeadEvent, replayScope } from "../flows/dead-events";
import { listWebhooks } from "../flows/webhooks";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { consoleFrame, frameAllows } from "./console-frame";
import { DEAD_LETTERS_PATH, DeadLettersPage, type DeadLettersNotice } from "./console-dead-letters-page";
import { renderPage } from "./layout";

/** Dead letters a page shows. */
const PAGE_DEAD_LETTERS = 50;
const CURSOR = /^[1-9]\d{0,15}$/;

export const consoleDeadLetters = new Hono<ConsoleEnv>();

consoleDeadLetters.get("/", requireConsoleScope("audit:read"), async (c) => {
  const frame = await consoleFrame(c, DEAD_LETTERS_PATH);
  const asked = c.req.query("cursor");
  const cursor = asked !== undefined && CURSOR.test(asked) ? Number(asked) : undefined;
  const { tenantId } = c.var.tenant;
  const page = await deadEventsPage(c.env, tenantId, { cursor, limit: PAGE_DEAD_LETTERS });
  // What a webhook's endpoint answered is `webhooks:write`'s to read, as `GET /webhooks/:id/deliveries` is;
  // so are the webhooks' pages, linked from their dead deliveries while the webhook is there.
  const attemptsShown = frameAllows(frame, "webhooks:write");
  const [attempts, webhooks] = attemptsShown
    ? await Promise.all([deadDeliveryAttempts(c.env, tenantId, page.events), listWebhooks(c.env, tenantId)])
    : [new Map(), []];
  const notice: DeadLettersNotice | null = c.req.query("replayed") !== undefined ? "replayed" : c.req.query("gone") !== undefined ? "gone" : null;
  return renderPage(
    c,
    <DeadLettersPage
      frame={frame}
      events={page.events}
      attempts={attempts}
      attemptsShown={attemptsShown}
      linkedWebhooks={new Set(webhooks.map((webhook) => webhook.id))}
      nextCursor={page.nextCursor}
      paged={cursor !== undefined}
      badPage={asked !== undefined && cursor === undefined}
      notice={notice}
    />,
  );
});

/** The scope this dead letter's replay needs, checked as the admin API checks it. */
const requireReplayScope: MiddlewareHandler<ConsoleEnv> = (c, next) => requireConsoleScope(replayScope(c.req.param("id") ?? ""))(c, next);

consoleDeadLetters.post("/:id/replay", requireReplayScope, async (c) => {
  await checkedConsoleForm(c);
  const id = c.req.param("id");
  if (!DeadLetterId.safeParse(id).success) throw new ProblemError(404, "event_not_found", "No dead event with this id.");
  const replayed = await replayDeadEvent(c.env, c.var.tenant.tenantId, id, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
  // Sent twice (a second click, another admin first), it is simply no longer there: said, not an error page.
  return c.redirect(`${DEAD_LETTERS_PATH}?${replayed ? "replayed" : "gone"}`, 303);
});
