/**
 * @module
 * Row 9: webhook deliveries a second through the queues (docs/webhooks.md). On a fresh instance
 * of the production bundle, the bench tenant gets one webhook (made through the admin API, for
 * `verify.*`) pointing at a local receiver that verifies every delivery with the Standard
 * Webhooks library and answers 204 (bench/harness/webhook-receiver.ts; loopback is allowed as
 * the bench runs with `STEPGATE_ENV=development`). The bench's seeder worker publishes
 * `BENCH_WEBHOOK_EVENTS` (2,000) `verify.ok` events to `stepgate-events` as the users' objects
 * do; from there the path is production's: the stream's consumer, its webhooks' sink, the
 * `stepgate-webhooks` queue, the delivery consumer (two calls to the tenant's object a batch, one
 * signed POST a delivery). The figure is the deliveries a second at the receiver, from the first
 * arrival to the last, with every delivery verified and none duplicated.
 *
 * The queues run in Miniflare's memory with wrangler.jsonc's consumer settings (webhooks: batches
 * of 10, at most 1 s to fill one), and Miniflare hands a queue's consumer one batch at a time,
 * where Cloudflare runs up to 250 consumer invocations at once: locally the deliveries go ten by
 * ten, so this is a floor for one consumer, not the platform's rate.
 */
import { ADMIN_KEY, pinCpus, startInstance, stepgateOptions } from "../harness/instances";
import { startWebhookReceiver } from "../harness/webhook-receiver";
import { seedTenant, TENANT } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);
/** How long the deliveries may take in all before the row is given up as incomplete. */
const DELIVERY_DEADLINE_MS = 180_000;
/** After the last one, how long to wait for a duplicate. */
const DUPLICATE_WAIT_MS = 3_000;
/** Cloudflare Queues' documented throughput per queue (developers.cloudflare.com/queues/platform/limits/). */
const PLATFORM_MESSAGES_PER_SECOND = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const webhookDeliveries: Scenario = {
  id: 9,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(`9. ${EVENTS} webhook deliveries through the queues`);
    const receiver = await startWebhookReceiver();
    // A fresh instance: the shared ones' tenant has no webhook, and every event of rows 1–8 would otherwise be posted too.
    const instance = await startInstance("stepgate (webhooks)", stepgateOptions(bench.scripts.stepgate, false), bench.log);
    pinCpus([instance], () => {});
    await seedTenant(instance.mf, bench.origin.url);
    const made = await fetch(`${instance.entry}/__stepgate/admin/v1/webhooks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json" },
      body: JSON.stringify({ url: receiver.url, eventTypes: ["verify.*"], description: "bench receiver" }),
    });
    if (made.status !== 201) throw new Error(`making the webhook failed: ${made.status} ${await made.text()}`);
    receiver.verifyWith(((await made.json()) as { secret: string }).secret);

    const seeder = await instance.mf.getWorker("seeder");
    const published = performance.now();
    const sent = await seeder.fetch("http://seeder/", { method: "POST", body: JSON.stringify({ tenantId: TENANT, count: EVENTS, kind: "publish" }) });
    if (sent.status !== 200) throw new Error(`publishing the events failed: ${sent.status} ${await sent.text()}`);
    const ids = () => new Set(receiver.arrivals.map((arrival) => arrival.id));
    while (ids().size < EVENTS && performance.now() - published < DELIVERY_DEADLINE_MS) await sleep(100);
    await sleep(DUPLICATE_WAIT_MS);
    await instance.mf.dispose();
    receiver.server.close();

    const { arrivals } = receiver;
    const distinct = ids().size;
    const verified = new Set(arrivals.filter((arrival) => arrival.verified).map((arrival) => arrival.id)).size;
    const duplicates = arrivals.length - distinct;
    const first = arrivals[0]?.at ?? published;
    const last = arrivals.at(-1)?.at ?? published;
    const perSecond = distinct > 1 ? (distinct - 1) / ((last - first) / 1000) : 0;
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    bench.log(
      `  ${distinct} of ${EVENTS} delivered (${verified} verified, ${duplicates} duplicates) in ${seconds(last - first)} from first to last, ${seconds(last - published)} from publishing; ${Math.round(perSecond)} a second`,
    );
    bench.notes.push(
      `Webhooks (9): ${EVENTS.toLocaleString("en")} events published to the event stream at once and delivered through both queues to a receiver verifying each with \`standardwebhooks\`; deliveries a second from the first arrival to the last, ${seconds(last - published)} from publishing to the last. The queues run in Miniflare's memory with wrangler.jsonc's consumer settings (webhooks: batches of 10 within 1 s), one batch at a time where Cloudflare runs up to 250 consumers at once; Cloudflare documents ${PLATFORM_MESSAGES_PER_SECOND.toLocaleString("en")} messages a second per queue, ${(perSecond / PLATFORM_MESSAGES_PER_SECOND).toFixed(2)} × of which is this figure, and the delivery consumer calls each tenant's object twice per batch of 10, so one tenant's deliveries cost its object about 200 calls a second at 1,000 deliveries a second (docs/scaling.md).`,
    );
    return [
      {
        scenario: `9. webhook deliveries through the queues, ${EVENTS.toLocaleString("en")} events`,
        stepgate: `${Math.round(perSecond).toLocaleString("en")} deliveries/s (${verified} of ${EVENTS} verified, ${duplicates} duplicated)`,
        target: null,
        met: null,
      },
    ];
  },
};
