/**
 * Rows 1–3: what stepgate costs on the requests it lets through — pass-through, a protected
 * operation with a valid grant, a login-protected page — as its throughput against the correct
 * proxy's (the target's reference) and the bare proxy's: the ratio of their CPU time per
 * request, measured in lock step (bench/harness/cpu-cost.ts; docs/benchmark.md says why).
 */
import type { Spread } from "../harness/stats";
import { callsPerRequest } from "../harness/calls";
import { compareRuns, loadTogether, type Run, SEGMENT_SECONDS, SLOTS } from "../harness/cpu-cost";
import { fire, type Load } from "../harness/load";
import { ratioCell } from "../harness/report";
import { grantCookie, portalSession } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 18);
const WARMUP_SECONDS = 2;
const COUNTED_REQUESTS = 3000;

/**
 * What a browser sends with a page request, and the address Cloudflare's edge adds: both
 * proxies copy every header, set `X-Forwarded-For` from `CF-Connecting-IP`, and stepgate looks at
 * each name for the claims it drops (src/gate/proxy.ts), so a bare request would flatter it.
 */
const BROWSER_HEADERS = {
  "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "Accept-Language": "en-GB,en;q=0.9",
  "Accept-Encoding": "gzip, deflate, br",
  Referer: "http://127.0.0.1/app/home",
  "Sec-Fetch-Site": "same-origin",
  "Sec-Fetch-Mode": "navigate",
  "Sec-Fetch-Dest": "document",
  "CF-Connecting-IP": "203.0.113.7",
};
const OTHER_COOKIES = "theme=dark; _ga=GA1.1.123456789.1700000000";

/**
 * The load of each row, made afresh for each run: a grant older than five minutes is
 * re-checked in the user's object on every request that still carries it (src/gate/grant.ts,
 * `GRANT_RECHECK_MS`), and the load generator, unlike a browser, never takes the renewed cookie.
 */
const rows: Array<{ id: number; name: string; target: number | null; load: () => Promise<Load> }> = [
  {
    id: 1,
    name: "1. unprotected pass-through",
    target: 0.95,
    load: async () => ({
      path: "/public/page?x=1",
      headers: { ...BROWSER_HEADERS, Cookie: `portal_session=${await portalSession("alice")}; ${OTHER_COOKIES}` },
    }),
  },
  {
    id: 2,
    name: "2. protected operation, valid grant",
    target: 0.9,
    load: async () => ({
      method: "POST",
      path: "/api/withdraw",
      headers: {
        ...BROWSER_HEADERS,
        Accept: "application/json",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Dest": "empty",
        "Content-Type": "application/json",
        Cookie: `portal_session=${await portalSession("alice")}; ${await grantCookie("alice", "withdraw")}; ${OTHER_COOKIES}`,
      },
      body: '{"amount":10}',
    }),
  },
  {
    id: 3,
    name: "3. login-protected page, valid login grant",
    target: null,
    load: async () => ({
      path: "/app/dashboard",
      headers: { ...BROWSER_HEADERS, Cookie: `portal_session=${await portalSession("alice")}; ${await grantCookie("alice", "login")}; ${OTHER_COOKIES}` },
    }),
  },
];

let noiseFloorMeasured = false;

/**
 * The correct proxy against a copy of itself, measured as the rows are: how far the method moves
 * a ratio that is 1 by construction. Once per bench run, before the first row.
 */
async function measureNoiseFloor(bench: Bench, load: Load): Promise<void> {
  bench.log("noise floor: the correct proxy against a copy of itself");
  await loadTogether([bench.twin, bench.correct], load, WARMUP_SECONDS);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await loadTogether([bench.twin, bench.correct], load, RUN_SECONDS / 2));
  const [ratio] = compareRuns(runs).ratios as [Spread];
  bench.log(`  ${ratioCell(ratio)} [${ratio.runs.map((r) => r.toFixed(3)).join(" ")}]`);
  bench.notes.push(
    `Scenarios 1–3: stepgate's throughput as a share of each reference's is the ratio of their workerd processes' CPU time per request (${RUNS} runs of ${RUN_SECONDS} s, the three workers loaded together in ${SEGMENT_SECONDS} s lock-step segments with ${SLOTS} requests in flight to each, the order they are asked in going round every rotation and its reverse; median, and interquartile range in brackets, ⚠ where it is wider than ±0.03); the µs columns are CPU time per request, p50/p99 stepgate's latency in those runs on a shared machine. Noise floor, the correct proxy against a copy of itself (runs of ${RUN_SECONDS / 2} s): ${ratioCell(ratio)}.`,
  );
}

const µs = (value: number) => `${Math.round(value)} µs`;

export const throughput: Scenario[] = rows.map(({ id, name, target, load: loadOf }) => ({
  id,
  async run(bench: Bench): Promise<Row[]> {
    if (!noiseFloorMeasured) {
      await measureNoiseFloor(bench, await rows[0]!.load());
      noiseFloorMeasured = true;
    }
    bench.log(name);
    const workers = [bench.stepgate, bench.correct, bench.bare];
    await loadTogether(workers, await loadOf(), WARMUP_SECONDS);
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await loadTogether(workers, await loadOf(), RUN_SECONDS));
    const measured = compareRuns(runs);
    const [toCorrect, toBare] = measured.ratios as [Spread, Spread];
    const [mine, correct, bare] = measured.cpuMicros as [number, number, number];
    // One request first, so that the count starts with the policy cached, as the timed runs do.
    const counted = await loadOf();
    await fire(bench.counting.url, counted, { amount: 1 }, 1);
    const calls = await callsPerRequest(bench.counting.url, counted, COUNTED_REQUESTS);
    const { errors } = measured;
    const runsOf = (spread: Spread) => spread.runs.map((r) => r.toFixed(3)).join(" ");
    bench.log(
      `  stepgate ${µs(mine)}, correct ${µs(correct)}, bare ${µs(bare)} CPU per request; ratio to correct ${ratioCell(toCorrect)} [${runsOf(toCorrect)}], to bare ${ratioCell(toBare)} [${runsOf(toBare)}]; ${errors} errors`,
    );
    const met = target === null ? null : toCorrect.median >= target && calls.durableObject === 0 && calls.kv <= 0.01 && errors === 0;
    return [
      {
        scenario: name,
        stepgate: µs(mine),
        p50: Number(measured.p50.toFixed(1)),
        p99: Number(measured.p99.toFixed(1)),
        correct: µs(correct),
        ratio: toCorrect,
        bare: µs(bare),
        bareRatio: toBare,
        calls,
        target: target === null ? null : `≥ ${target.toFixed(2)} × correct proxy, 0 DO, ≤ 0.01 KV`,
        met,
      },
    ];
  },
}));
