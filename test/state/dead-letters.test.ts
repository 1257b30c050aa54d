/**
 * The tenant's dead letters as its object keeps them: each source (the stream, the webhooks, the
 * alerts) capped on its own, so a flood of one never pushes out another's. Real parts: the
 * tenant's object and its storage.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { alertDelivery } from "../../src/state/alert-messages";
import { tenantState } from "../../src/state/tenant";
import { DEAD_EVENTS_KEPT, keepDeadMessages } from "../../src/state/tenant/dead-events";
import { TENANT_MIGRATIONS } from "../../src/state/tenant/schema";
import { payloadOf, webhookDelivery } from "../../src/state/webhook-messages";
import { anEvent } from "../support/events";

const WEBHOOK = "wh_0123456789abcdef";

describe("the dead letters' caps", () => {
  it("drops the oldest of a source past its cap, and only of that source", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const streamEvent = anEvent(tenantId, "ada", { type: "factor.removed" });
    const alert = alertDelivery(anEvent(tenantId, "bea", { type: "device.trusted" }));
    const deliveries = Array.from({ length: DEAD_EVENTS_KEPT + 1 }, (_, i) =>
      webhookDelivery(tenantId, WEBHOOK, payloadOf({ ...streamEvent, id: `u-00-${i + 1}` })),
    );
    const kept = await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      const { sql } = state.storage;
      const now = Date.now();
      keepDeadMessages(sql, [streamEvent, alert], now);
      for (let i = 0; i < deliveries.length; i += 5_000) keepDeadMessages(sql, deliveries.slice(i, i + 5_000), now);
      const bySource = sql.exec<{ source: string; n: number }>("SELECT source, count(*) AS n FROM dead_events GROUP BY source ORDER BY source").toArray();
      const has = (id: string) => sql.exec("SELECT 1 FROM dead_events WHERE id = ?", id).toArray().length === 1;
      return { bySource, stream: has(streamEvent.id), alert: has(alert.id), oldest: has(deliveries[0]!.id), newest: has(deliveries.at(-1)!.id) };
    });
    expect(kept).toEqual({
      bySource: [
        { source: "alert", n: 1 },
        { source: "stream", n: 1 },
        { source: "webhook", n: DEAD_EVENTS_KEPT },
      ],
      stream: true,
      alert: true,
      oldest: false,
      newest: true,
    });
  }, 120_000);

  it("gives the dead letters an object kept before sources existed the source of their message", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const event = anEvent(tenantId, "ada");
    const letters = [event, webhookDelivery(tenantId, WEBHOOK, payloadOf(event)), alertDelivery(event)];
    const backfill = TENANT_MIGRATIONS.find((migration) => migration.includes("ADD COLUMN source"))!
      .split(";")
      .find((statement) => statement.trim().startsWith("UPDATE"))!;
    const sources = await runInDurableObject(tenantState(env, tenantId), (_, state) => {
      const { sql } = state.storage;
      keepDeadMessages(sql, letters, Date.now());
      // As the column's default left them before the migration's update.
      sql.exec("UPDATE dead_events SET source = 'stream'");
      sql.exec(backfill);
      return sql.exec<{ id: string; source: string }>("SELECT id, source FROM dead_events ORDER BY seq").toArray();
    });
    expect(sources).toEqual([
      { id: letters[0]!.id, source: "stream" },
      { id: letters[1]!.id, source: "webhook" },
      { id: letters[2]!.id, source: "alert" },
    ]);
  });
});
