/**
 * `npm run bench`: what stepgate costs on top of a reverse proxy, measured in one run on one
 * machine. stepgate and the reference proxies are built the way they deploy (`wrangler deploy
 * --dry-run`), each run under workerd through Miniflare's API with logging off, in front of the
 * same local origin. Durable Object and KV calls per request are counted on a separate instance
 * running stepgate behind its counting entry (bench/counting-worker.ts), so the timed instance
 * runs the production bundle.
 *
 * The rows are the scenarios in bench/scenarios/ (listed in bench/scenarios/index.ts), run in
 * order. `BENCH_ONLY=2,4` runs only those and prints them without writing anything; otherwise it
 * writes `bench/results.md`, `bench/results.svg` and the table into `docs/benchmark.md`.
 */
import { writeFileSync } from "node:fs";
import { buildCountingWorker, buildWorkers } from "./build";
import { ratioChart } from "./chart";
import { pinCpus, proxyOptions, startInstance, startOrigin, stepgateOptions, storageInMemory } from "./harness/instances";
import { clientsGoneCount } from "./harness/workerd-output";
import { quoteInDocs, report } from "./harness/report";
import { scenarios } from "./scenarios";
import type { Bench, Row } from "./scenarios/scenario";
import { seedTenant } from "./tenant";

/** `BENCH_ONLY=2,4` runs those scenarios and prints them, writing nothing (a quick look while profiling). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",").map(Number)) : null;

const log = (line: string) => console.error(`bench: ${line}`);

async function main(): Promise<void> {
  const scripts = { ...buildWorkers(), counting: buildCountingWorker() };
  const storage = storageInMemory();
  const origin = await startOrigin();
  // One at a time: each instance's workerd process is told apart by when it appeared.
  const stepgate = await startInstance("stepgate", stepgateOptions(scripts.stepgate), log);
  // Counted through Miniflare's entry like any request (its counts do not depend on the socket).
  const counting = await startInstance("counting", stepgateOptions(scripts.counting, false), log);
  const correct = await startInstance("correct", proxyOptions(scripts.correct, origin.url), log);
  const bare = await startInstance("bare", proxyOptions(scripts.bare, origin.url), log);
  // A second copy of each timed worker, loaded beside the first (bench/scenarios/throughput.ts).
  const twins = {
    stepgate: await startInstance("stepgate-twin", stepgateOptions(scripts.stepgate), log),
    correct: await startInstance("correct-twin", proxyOptions(scripts.correct, origin.url), log),
    bare: await startInstance("bare-twin", proxyOptions(scripts.bare, origin.url), log),
  };
  const instances = [stepgate, counting, correct, bare, ...Object.values(twins)];
  pinCpus(instances, log);
  log(
    `stepgate ${stepgate.url}, counting ${counting.url}, correct ${correct.url}, bare ${bare.url}, origin ${origin.url}; Durable Object storage on ${storage === "memory" ? "a RAM disk" : "disk"}`,
  );
  await seedTenant(stepgate.mf, origin.url);
  await seedTenant(counting.mf, origin.url);
  await seedTenant(twins.stepgate.mf, origin.url);

  const bench: Bench = { stepgate, counting, correct, bare, twins, origin, scripts, storage, log, notes: [] };
  const rows: Row[] = [];
  for (const scenario of scenarios) if (!ONLY || ONLY.has(scenario.id)) rows.push(...(await scenario.run(bench)));
  await Promise.all(instances.map(({ mf }) => mf.dispose()));
  if (clientsGoneCount() > 0) log(`workerd reported ${clientsGoneCount()} answers to clients that had closed their connection (not shown)`);
  origin.server.close();

  const markdown = report(rows, bench.notes);
  if (!ONLY) {
    writeFileSync("bench/results.md", markdown);
    const target = (row: Row) => (row.target?.startsWith("≥") ? Number(/≥ ([\d.]+)/.exec(row.target)![1]) : null);
    const bars = rows
      .filter((row) => row.ratio)
      .map((row) => ({
        label: row.scenario,
        ratio: row.ratio!.median,
        target: target(row),
        spread: [row.ratio!.q1, row.ratio!.q3] as [number, number],
        bare: row.bareRatio?.median,
      }));
    writeFileSync("bench/results.svg", ratioChart(bars));
    quoteInDocs(markdown);
  }
  console.log(markdown);
}

await main();
