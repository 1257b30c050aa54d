/**
 * Rows 1–3: what stepgate costs on the requests it lets through, against the bare proxy:
 * pass-through, a protected operation with a valid grant, a login-protected page.
 */
import { callsPerRequest } from "../harness/calls";
import { fire, type Load, medianOf, type Measured } from "../harness/load";
import { type Spread, spreadOf } from "../harness/stats";
import { grantCookie, portalSession } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const WARMUP_SECONDS = 2;
// Many short interleaved runs rather than a few long ones: on a shared machine the speed drifts
// over minutes, and a pair run seconds apart sees the same drift.
const MEASURED_RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/** Runs in which stepgate and the bare proxy share the core at once (see {@link shareOfCore}). */
const SHARED_RUNS = Number(process.env.BENCH_SHARED_RUNS ?? 8);
const COUNTED_REQUESTS = 3000;

/**
 * stepgate and the bare proxy under the same load, each alone on the machine: their runs
 * interleaved so that whatever else the machine does at a moment weighs on both, and which goes
 * first alternating. Their req/s and latencies come from here; the ratio from {@link shareOfCore}.
 */
async function compare(mine: string, theirs: string, load: Load): Promise<{ mine: Measured; theirs: Measured }> {
  await fire(mine, load, { duration: WARMUP_SECONDS });
  await fire(theirs, load, { duration: WARMUP_SECONDS });
  const pairs: Array<{ mine: Measured; theirs: Measured }> = [];
  const run = (base: string) => fire(base, load, { duration: RUN_SECONDS });
  for (let i = 0; i < MEASURED_RUNS; i++) {
    if (i % 2 === 0) pairs.push({ mine: await run(mine), theirs: await run(theirs) });
    else pairs.push({ theirs: await run(theirs), mine: await run(mine) });
  }
  return { mine: medianOf(pairs.map((p) => p.mine)), theirs: medianOf(pairs.map((p) => p.theirs)) };
}

/**
 * stepgate's throughput as a share of the other's, with both loaded *at once* on the same core:
 * the kernel gives the two busy processes equal CPU time, so the ratio of their req/s is the
 * ratio of their CPU cost per request. Median and interquartile range of `SHARED_RUNS` runs.
 */
export async function shareOfCore(mine: string, theirs: string, load: Load): Promise<Spread> {
  const ratios: number[] = [];
  for (let i = 0; i < SHARED_RUNS; i++) {
    const [a, b] = await Promise.all([fire(mine, load, { duration: RUN_SECONDS }), fire(theirs, load, { duration: RUN_SECONDS })]);
    ratios.push(a.rps / b.rps);
  }
  return spreadOf(ratios);
}

export const throughput: Scenario[] = [
  { id: 1, name: "1. unprotected pass-through", target: 0.95, load: async () => ({ path: "/public/page?x=1" }) },
  {
    id: 2,
    name: "2. protected operation, valid grant",
    target: 0.9,
    load: async () => ({
      method: "POST",
      path: "/api/withdraw",
      headers: { Cookie: `portal_session=${await portalSession("alice")}; ${await grantCookie("alice", "withdraw")}`, "Content-Type": "application/json" },
      body: '{"amount":10}',
    }),
  },
  {
    id: 3,
    name: "3. login-protected page, valid login grant",
    target: null,
    load: async () => ({
      path: "/app/dashboard",
      headers: { Cookie: `portal_session=${await portalSession("alice")}; ${await grantCookie("alice", "login")}` },
    }),
  },
].map(({ id, name, target, load: loadOf }) => ({
  id,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(name);
    const load = await loadOf();
    const { mine, theirs } = await compare(bench.stepgate.url, bench.bare.url, load);
    const ratio = await shareOfCore(bench.stepgate.url, bench.bare.url, load);
    const calls = await callsPerRequest(bench.counting.url, load, COUNTED_REQUESTS);
    const met = target === null ? null : ratio.median >= target && calls.durableObject === 0 && calls.kv <= 0.01 && mine.errors === 0;
    return [
      {
        scenario: name,
        stepgate: `${Math.round(mine.rps).toLocaleString("en")} req/s`,
        p50: mine.p50,
        p99: mine.p99,
        bare: `${Math.round(theirs.rps).toLocaleString("en")} req/s`,
        bareRatio: ratio,
        calls,
        target: target === null ? null : `≥ ${target.toFixed(2)} × bare, 0 DO, ≤ 0.01 KV`,
        met,
      },
    ];
  },
}));
