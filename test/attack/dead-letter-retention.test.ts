/**
 * Attack probe (attack20): the tenant's dead letters shared one cap (100,000) across their kinds.
 * A stream dead letter is the only copy of an audit entry the tenant's trail never stored; a
 * webhook delivery's is a copy of an event the trail has. Pings (`POST /webhooks/:id/test`, no
 * limit) to an endpoint that fails, or a busy tenant's webhook that is down for a day, make
 * webhook dead letters by the thousand.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantState } from "../../src/state/tenant";
import { DEAD_EVENTS_KEPT, keepDeadMessages } from "../../src/state/tenant/dead-events";
import { pingPayload, webhookDelivery } from "../../src/state/webhook-messages";
import { aTenant } from "../support/builders";
import { anEvent, until } from "../support/events";
import { aReceiver, aWebhook, webhooksApi } from "../support/webhooks";

describe("attack: the dead-letter cap", () => {
  // The probe showed the way in: a ping to a failing endpoint became a dead letter. Since the fix a
  // ping is tried once and never dead-lettered, so the probe asserts that instead: an event sent to
  // the same endpoint after the ping dies (three attempts in the tests), the ping does not.
  it("never makes a ping to a failing endpoint a dead letter (a ping is tried once)", async () => {
    const { base, tenantId } = await aTenant();
    const hook = await aWebhook(base, await aReceiver(), ["device.trusted"], { status: 500 });
    expect((await webhooksApi(base, "POST", `/webhooks/${hook.id}/test`)).status).toBe(202);
    const event = anEvent(tenantId, "ada", { type: "device.trusted" });
    await env.EVENTS.sendBatch([{ body: event, contentType: "json" }]);
    const dead = async () => (await (await webhooksApi(base, "GET", "/events/dead")).json<{ events: Array<{ id: string }> }>()).events;
    await until(async () => (await dead()).length > 0, "the event's dead letter");
    expect((await dead()).map((letter) => letter.id)).toEqual([`${hook.id}.${event.id}`]);
  });

  it("never lets webhook dead letters push out a stream dead letter (an audit entry kept nowhere else)", async () => {
    const { tenantId } = await aTenant();
    const lost = anEvent(tenantId, "ada", { type: "factor.removed", detail: { factor: "totp" } });
    const pings = Array.from({ length: DEAD_EVENTS_KEPT }, (_, i) =>
      webhookDelivery(tenantId, "wh_0123456789abcdef", pingPayload(tenantId, "wh_0123456789abcdef", 1_700_000_000_000 + i)),
    );
    const kept = await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      const now = Date.now();
      keepDeadMessages(state.storage.sql, [lost], now);
      for (let i = 0; i < pings.length; i += 5_000) keepDeadMessages(state.storage.sql, pings.slice(i, i + 5_000), now);
      return state.storage.sql.exec("SELECT 1 FROM dead_events WHERE id = ?", lost.id).toArray().length;
    });
    expect(kept).toBe(1);
  }, 120_000);
});
