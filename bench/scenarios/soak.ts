/**
 * @module
 * Row 10: a soak — `BENCH_SOAK_SECONDS` (300) of mixed traffic, alternately an unprotected page
 * and a protected operation carrying a valid grant, on a fresh instance of the production bundle
 * with Miniflare's inspector open — and whether the isolate's heap after a full garbage
 * collection (DevTools protocol: a heap snapshot, which collects first, then `Runtime.getHeapUsage`) is where
 * it started: the in-memory caches are bounded, so once full they stay so.
 *
 * Every request brings a user and a portal session never seen before (and a grant, for the
 * protected one), and one in {@link OTHER_HOST_EVERY} goes to another of {@link OTHER_HOSTS}
 * hostnames of the tenant, so that every cache the request path keeps passes its bound: the
 * verified tokens (10,000, src/lib/verified-tokens.ts), the signed assurances (1,000 per key set,
 * src/gate/assurance.ts), the policies by hostname (1,000, src/config/policy-cache.ts). The
 * warm-up fills all of them before the first reading, so a bounded cache adds nothing after it,
 * and a memo kept per user, session or token without a bound would add at least a hundred bytes
 * a request: megabytes a minute here. Durable Object and KV calls are counted for the same mix
 * on the counting instance.
 */
import { Agent } from "node:http";
import { callTotals } from "../harness/calls";
import { send } from "../harness/cpu-cost";
import { freePort, heapAfterGc, inspect } from "../harness/inspector";
import { pinCpus, startInstance, stepgateOptions } from "../harness/instances";
import type { Load } from "../harness/load";
import { quantile } from "../harness/stats";
import { grantCookie, HOST, portalSession, seedTenant, TENANT } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
/** Hostnames of the bench tenant besides its own: past the policy cache's 1,000. */
const OTHER_HOSTS = 1_200;
/** One request in this many goes to one of the other hostnames, in turn. */
const OTHER_HOST_EVERY = 20;
/** Enough for every other hostname once, 12,000 new grants (the assurances' bound: 1,000) and 36,000 new tokens (the verified tokens': 10,000). */
const WARMUP_REQUESTS = OTHER_HOSTS * OTHER_HOST_EVERY;
const COUNTED_REQUESTS = 400;
const SLOTS = 16;
const HEAP_SAMPLE_MS = 30_000;
/**
 * The heap after a full collection may end this far above where it started. The caches are
 * full at the start; two readings a moment apart differ by tens of KiB. A memo growing by a
 * hundred bytes a request would pass this bound within a minute of this soak.
 */
const HEAP_BOUND_BYTES = 5 * 1024 * 1024;

const otherHost = (k: number) => `soak-${k}.bench.test`;
const MiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The `i`-th request of the mix: a page or a protected operation, by a user of its own. */
async function mixRequest(run: string, i: number): Promise<Load> {
  const user = `soak-${run}-${i}`;
  const host = i % OTHER_HOST_EVERY === OTHER_HOST_EVERY - 1 ? otherHost(Math.floor(i / OTHER_HOST_EVERY) % OTHER_HOSTS) : HOST;
  const session = `portal_session=${await portalSession(user)}`;
  const headers = { host, "CF-Connecting-IP": "203.0.113.7", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0" };
  if (i % 2 === 0) return { path: `/public/page?x=${i}`, headers: { ...headers, Accept: "text/html", Cookie: session } };
  return {
    method: "POST",
    path: "/api/withdraw",
    headers: { ...headers, "Content-Type": "application/json", Cookie: `${session}; ${await grantCookie(user, "withdraw")}` },
    body: '{"amount":10}',
  };
}

interface Driven {
  requests: number;
  errors: number;
  latencies: number[];
}

/** The mix, from request `from` on, {@link SLOTS} at a time, until `done(requests sent)`. */
async function drive(base: string, run: string, from: number, done: (sent: number) => boolean): Promise<Driven> {
  const agent = new Agent({ keepAlive: true, maxSockets: SLOTS });
  const url = new URL(base);
  const driven: Driven = { requests: 0, errors: 0, latencies: [] };
  let next = from;
  await Promise.all(
    Array.from({ length: SLOTS }, async () => {
      while (!done(next - from)) {
        const load = await mixRequest(run, next++);
        const sent = performance.now();
        const status = await send(agent, url, load).catch(() => 0);
        driven.latencies.push(performance.now() - sent);
        driven.requests++;
        if (status !== 200) driven.errors++;
      }
    }),
  );
  agent.destroy();
  return driven;
}

/** The tenant's other hostnames, in the `stepgate` worker's KV. */
async function seedOtherHosts(bench: Bench, mf: Bench["stepgate"]["mf"]): Promise<void> {
  const kv = await mf.getKVNamespace("POLICY", "stepgate");
  for (let k = 0; k < OTHER_HOSTS; k += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => kv.put(`host:${otherHost(k + j)}`, TENANT)));
  bench.log(`  ${OTHER_HOSTS.toLocaleString("en")} more hostnames for the bench tenant`);
}

export const soak: Scenario = {
  id: 10,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(`10. soak, ${SOAK_SECONDS} s`);
    const port = await freePort();
    const instance = await startInstance("stepgate (soak)", { ...stepgateOptions(bench.scripts.stepgate), inspectorPort: port }, bench.log);
    pinCpus([instance], () => {});
    await seedTenant(instance.mf, bench.origin.url);
    await seedOtherHosts(bench, instance.mf);
    await seedOtherHosts(bench, bench.counting.mf);
    const inspector = await inspect(port, "stepgate");

    const warm = await drive(instance.url, "warm", 0, (sent) => sent >= WARMUP_REQUESTS);
    const first = await heapAfterGc(inspector);
    const start = await heapAfterGc(inspector);
    bench.log(`  warm-up: ${warm.requests} requests, ${warm.errors} not 200; heap after GC ${MiB(first)}, then ${MiB(start)} MiB`);

    const end = performance.now() + SOAK_SECONDS * 1000;
    const sampling = setInterval(async () => {
      const { usedSize } = (await inspector.send("Runtime.getHeapUsage")) as { usedSize: number };
      bench.log(`  heap in use ${MiB(usedSize)} MiB`);
    }, HEAP_SAMPLE_MS);
    const soaked = await drive(instance.url, "soak", 0, () => performance.now() >= end);
    clearInterval(sampling);
    const finish = await heapAfterGc(inspector);
    inspector.close();
    await instance.mf.dispose();
    bench.log(`  soak: ${soaked.requests} requests, ${soaked.errors} not 200; heap after GC ${MiB(start)} → ${MiB(finish)} MiB`);

    // A first pass unmeasured, so that the count starts with the tenant's own hostname cached, as the soak did.
    await drive(bench.counting.url, "uncounted", 0, (sent) => sent >= COUNTED_REQUESTS);
    const before = await callTotals(bench.counting.url);
    // Counted from where the first pass stopped: its other hostnames are not cached yet, as in the soak, where they come round past the cache's bound.
    const counted = await drive(bench.counting.url, "counted", COUNTED_REQUESTS, (sent) => sent >= COUNTED_REQUESTS);
    const after = await callTotals(bench.counting.url);
    if (counted.errors > 0) throw new Error(`the soak's counting run had ${counted.errors} errors`);

    bench.notes.push(
      `Soak (10): ${SOAK_SECONDS} s of alternately an unprotected page and a protected operation with a valid grant, ${SLOTS} at a time, each by a new user and session, one in ${OTHER_HOST_EVERY} to another of ${OTHER_HOSTS.toLocaleString("en")} hostnames, after a warm-up of ${WARMUP_REQUESTS.toLocaleString("en")} that fills every cache (its KV reads are those requests to other hostnames: the policy cache holds 1,000, so each of them reads the policy again); the heap read through the inspector after a forced garbage collection, on a fresh instance with the inspector open.`,
    );
    const grown = finish - start;
    return [
      {
        scenario: `10. soak, ${SOAK_SECONDS / 60} min of pages and protected operations, a new user each request`,
        stepgate: `heap after GC ${MiB(start)} → ${MiB(finish)} MiB (${grown >= 0 ? "+" : ""}${MiB(grown)}); ${soaked.requests.toLocaleString("en")} requests, ${soaked.errors} errors`,
        p50: Number(quantile(soaked.latencies, 0.5).toFixed(1)),
        p99: Number(quantile(soaked.latencies, 0.99).toFixed(1)),
        calls: { durableObject: (after.durableObject - before.durableObject) / counted.requests, kv: (after.kv - before.kv) / counted.requests },
        target: `heap after GC ≤ start + ${HEAP_BOUND_BYTES / 1024 / 1024} MiB, 0 errors`,
        met: grown <= HEAP_BOUND_BYTES && soaked.errors === 0,
      },
    ];
  },
};
