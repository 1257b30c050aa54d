/**
 * `npx tsx bench/ab.ts <before> [<after>]`: whether a change made stepgate cheaper, from two of
 * its bundles loaded together in lock step (bench/harness/cpu-cost.ts), as `npm run bench` loads
 * stepgate and the proxies. `<before>` and `<after>` are git revisions, each exported
 * (`git archive`) into the OS temporary folder and built there as it deploys; `<after>` is this
 * checkout's working tree when left out. A third instance runs `<before>`'s bundle again: its
 * ratio to the first copy is the run's noise floor. `BENCH_ROW` picks the load of a throughput
 * row (1: pass-through, the default; 2: the protected operation with a valid grant; 3: the
 * login-protected page); `BENCH_RUNS` runs (10) of `BENCH_SECONDS` (6) each.
 *
 * It prints each bundle's CPU µs per request (median of the runs) and `<after>`'s throughput as a
 * multiple of `<before>`'s: `before`'s CPU time per request ÷ `after`'s, median and IQR.
 */
import { execSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUILD } from "./build";
import { loadTogether, type Run } from "./harness/cpu-cost";
import { pinCpus, startInstance, startOrigin, stepgateOptions, storageInMemory } from "./harness/instances";
import { quantile, spreadOf } from "./harness/stats";
import { throughputRows } from "./scenarios/throughput";
import { seedTenant } from "./tenant";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROW = Number(process.env.BENCH_ROW ?? 1);
const log = (line: string) => console.error(`ab: ${line}`);

/** Builds stepgate as it deploys from `revision` (or this working tree) and returns the bundle's path. */
function bundleOf(revision: string | undefined): string {
  const root = resolve(".");
  let source = root;
  const name = revision ? execSync(`git rev-parse --short ${revision}`, { encoding: "utf8" }).trim() : "worktree";
  // The bundle inside this project (workerd will not load a module from above it), the exported tree outside it.
  const out = `${BUILD}/ab-${name}`;
  if (revision) {
    source = join(tmpdir(), `stepgate-ab-${name}-${process.pid}`);
    rmSync(source, { recursive: true, force: true });
    mkdirSync(source, { recursive: true });
    execSync(`git archive ${revision} | tar -x -C ${source}`, { shell: "/bin/bash" });
    symlinkSync(join(root, "node_modules"), join(source, "node_modules"));
  }
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  const built = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", resolve(out)], { cwd: source, env, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building ${name} failed:\n${built.stdout}\n${built.stderr}`);
  if (revision) rmSync(source, { recursive: true, force: true });
  const script = `${out}/index.js`;
  if (!existsSync(script)) throw new Error(`no bundle at ${script}`);
  log(`${name}: ${script}`);
  return script;
}

async function main(): Promise<void> {
  const [before, after] = process.argv.slice(2);
  if (!before) throw new Error("usage: npx tsx bench/ab.ts <before> [<after>]");
  const row = throughputRows.find((r) => r.id === ROW);
  if (!row) throw new Error(`no throughput row ${ROW}`);
  // Built before the instances start, since the machine's two cores are shared with the build.
  const scripts = { before: bundleOf(before), after: bundleOf(after) };
  storageInMemory();
  const origin = await startOrigin();
  const a = await startInstance("before", stepgateOptions(scripts.before), log);
  const b = await startInstance("after", stepgateOptions(scripts.after), log);
  const twin = await startInstance("before-twin", stepgateOptions(scripts.before), log);
  const workers = [a, b, twin];
  pinCpus(workers, log);
  for (const worker of workers) await seedTenant(worker.mf, origin.url);
  log(`${row.name}: ${RUNS} runs of ${RUN_SECONDS} s`);
  await loadTogether(workers, await row.load(), 2);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await loadTogether(workers, await row.load(), RUN_SECONDS);
    if (run.errors > 0) throw new Error(`${run.errors} answers other than 200`);
    log(`run ${i + 1}: ${run.cpuMicros.map((us) => us.toFixed(1)).join(" / ")} µs`);
    runs.push(run);
  }
  await Promise.all(workers.map(({ mf }) => mf.dispose()));
  origin.server.close();
  // The before bundle's cost: the mean of its two copies.
  const beforeMicros = (run: Run) => (run.cpuMicros[0]! + run.cpuMicros[2]!) / 2;
  const gain = spreadOf(runs.map((run) => beforeMicros(run) / run.cpuMicros[1]!));
  const noise = spreadOf(runs.map((run) => run.cpuMicros[2]! / run.cpuMicros[0]!));
  const median = (values: number[]) => quantile(values, 0.5).toFixed(0);
  const cell = (s: typeof gain) => `×${s.median.toFixed(3)} (IQR ${s.q1.toFixed(3)}–${s.q3.toFixed(3)})`;
  console.log(
    `${row.name}: before ${median(runs.map(beforeMicros))} → after ${median(runs.map((run) => run.cpuMicros[1]!))} µs CPU per request; throughput ${cell(gain)}; noise floor (before's two copies) ${cell(noise)}`,
  );
}

await main();
