/**
 * Rows 1–3: what stepgate costs on the requests it lets through — pass-through, a protected
 * operation with a valid grant, a login-protected page — as its throughput against the correct
 * proxy's (the target's reference) and the bare proxy's: the ratio of their CPU time per
 * request, measured in lock step (bench/harness/cpu-cost.ts; docs/benchmark.md says why).
 */
import { quantile, type Spread, spreadOf } from "../harness/stats";
import { callsPerRequest } from "../harness/calls";
import { latenciesOf, loadTogether, type Run, SEGMENT_SECONDS, SLOTS } from "../harness/cpu-cost";
import { fire, type Load } from "../harness/load";
import { ratioCell } from "../harness/report";
import { grantCookie, portalSession } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const RUNS = Number(process.env.BENCH_RUNS ?? 8);
/**
 * A run is 36 one-second segments, three cycles of the twelve orders six workers are asked in:
 * one process's cost wanders by a few per cent against its copy's over seconds, and a run's
 * ratio settles as the run grows (sd over runs of the correct proxy's two copies against
 * stepgate's two, row 2: 0.039 at 8 s, 0.031 at 16 s, 0.018 at 30 s).
 */
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 36);
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
export const throughputRows: Array<{ id: number; name: string; target: number | null; load: () => Promise<Load> }> = [
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

/** The row's noise floors, for the report's first paragraph: each copy of stepgate and of the correct proxy against the other in the same runs. */
const noiseFloors: string[] = [];

function describeMethod(bench: Bench, id: number, stepgateNoise: Spread, correctNoise: Spread): void {
  noiseFloors.push(`${id}: stepgate ${ratioCell(stepgateNoise)}, correct proxy ${ratioCell(correctNoise)}`);
  const note = (floors: string) =>
    `Scenarios 1–3: stepgate's throughput as a share of each reference's is the ratio of their workerd processes' CPU time per request, six workers (two copies each of stepgate, the correct proxy and the bare proxy; a worker's cost is the mean of its copies) loaded together in ${SEGMENT_SECONDS} s lock-step segments with ${SLOTS} requests in flight to each, the order they are asked in going round every rotation and its reverse; ${RUNS} runs of ${RUN_SECONDS} s a row, their median and, in brackets, interquartile range (⚠ where wider than ±0.03). The µs columns are CPU time per request; p50/p99 stepgate's latency in those runs, on a shared machine. Noise floor, one copy of a worker against the other in the same runs: ${floors}.`;
  const at = bench.notes.findIndex((line) => line.startsWith("Scenarios 1–3:"));
  if (at === -1) bench.notes.push(note(noiseFloors.join("; ")));
  else bench.notes[at] = note(noiseFloors.join("; "));
}

const µs = (value: number) => `${Math.round(value)} µs`;

export const throughput: Scenario[] = throughputRows.map(({ id, name, target, load: loadOf }) => ({
  id,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(name);
    const { stepgate, correct, bare, twins } = bench;
    // Each worker twice, side by side: its cost is the mean of its two copies, so that no one process's moods weigh alone.
    const workers = [stepgate, twins.stepgate, correct, twins.correct, bare, twins.bare];
    await loadTogether(workers, await loadOf(), WARMUP_SECONDS);
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await loadTogether(workers, await loadOf(), RUN_SECONDS));
    const measured = latenciesOf(runs);
    const costOf = (first: number) => (run: Run) => (run.cpuMicros[first]! + run.cpuMicros[first + 1]!) / 2;
    const [stepgateOf, correctOf, bareOf] = [costOf(0), costOf(2), costOf(4)];
    const toCorrect = spreadOf(runs.map((run) => correctOf(run) / stepgateOf(run)));
    const toBare = spreadOf(runs.map((run) => bareOf(run) / stepgateOf(run)));
    const stepgateNoise = spreadOf(runs.map((run) => run.cpuMicros[1]! / run.cpuMicros[0]!));
    const correctNoise = spreadOf(runs.map((run) => run.cpuMicros[3]! / run.cpuMicros[2]!));
    describeMethod(bench, id, stepgateNoise, correctNoise);
    const median = (of: (run: Run) => number) => quantile(runs.map(of), 0.5);
    const [mine, correctCost, bareCost] = [median(stepgateOf), median(correctOf), median(bareOf)];
    // One request first, so that the count starts with the policy cached, as the timed runs do.
    const counted = await loadOf();
    await fire(bench.counting.url, counted, { amount: 1 }, 1);
    const calls = await callsPerRequest(bench.counting.url, counted, COUNTED_REQUESTS);
    const { errors } = measured;
    const runsOf = (spread: Spread) => spread.runs.map((r) => r.toFixed(3)).join(" ");
    bench.log(
      `  stepgate ${µs(mine)}, correct ${µs(correctCost)}, bare ${µs(bareCost)} CPU per request; ratio to correct ${ratioCell(toCorrect)} [${runsOf(toCorrect)}], to bare ${ratioCell(toBare)} [${runsOf(toBare)}]; noise floors stepgate ${ratioCell(stepgateNoise)} [${runsOf(stepgateNoise)}], correct ${ratioCell(correctNoise)} [${runsOf(correctNoise)}]; ${errors} errors`,
    );
    const met = target === null ? null : toCorrect.median >= target && calls.durableObject === 0 && calls.kv <= 0.01 && errors === 0;
    return [
      {
        scenario: name,
        stepgate: µs(mine),
        p50: Number(measured.p50.toFixed(1)),
        p99: Number(measured.p99.toFixed(1)),
        correct: µs(correctCost),
        ratio: toCorrect,
        bare: µs(bareCost),
        bareRatio: toBare,
        calls,
        target: target === null ? null : `≥ ${target.toFixed(2)} × correct proxy, 0 DO, ≤ 0.01 KV`,
        met,
      },
    ];
  },
}));
