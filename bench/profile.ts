/**
 * `npm run bench:profile`: where stepgate's CPU time goes under load, from workerd's own CPU
 * profiler. stepgate's production bundle runs under Miniflare with its inspector open; the
 * DevTools protocol's `Profiler` samples the isolate while the bench's lock-step load runs
 * (`BENCH_ROW`: a throughput row's request, as `npm run bench` sends it — 1, pass-through, by
 * default; 2, the protected operation with a valid grant (`BENCH_PROFILE=grant` too); 3, the
 * login-protected page), and the report
 * gives each function's own time per request, named by its source file and line through the
 * bundle's source map, the heap used second by second, and what each workerd thread spent per
 * request (the isolate's, and V8's helper that marks and sweeps the heap concurrently). The
 * whole profile is written to bench/.build/<worker>.cpuprofile for Chrome DevTools.
 * `BENCH_PROFILE_SECONDS` sets the length (20 s). `BENCH_PROFILE_WORKER=correct` profiles the
 * correct proxy (bench/correct-proxy.ts) under the same load instead: what both pay (the
 * runtime's fetch, headers, timers, garbage collection) is not stepgate's own.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { BUILD, buildWorkers } from "./build";
import { lockStep } from "./harness/cpu-cost";
import { freePort, inspect } from "./harness/inspector";
import { pinCpus, proxyOptions, startInstance, startOrigin, stepgateOptions, storageInMemory } from "./harness/instances";
import { sourcePositions } from "./harness/source-map";
import { throughputRows } from "./scenarios/throughput";
import { seedTenant } from "./tenant";

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const ROW = Number(process.env.BENCH_ROW ?? (process.env.BENCH_PROFILE === "grant" ? 2 : 1));
const WORKER = process.env.BENCH_PROFILE_WORKER === "correct" ? "correct" : "stepgate";
const SAMPLING_INTERVAL_US = 50;
const TOP = 30;
const log = (line: string) => console.error(`profile: ${line}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

/** CPU µs so far of each of the process's threads, by thread name. */
function threadsCpu(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const name = readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8").trim();
    const micros = Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]) / 1000;
    byName.set(name, (byName.get(name) ?? 0) + micros);
  }
  return byName;
}

async function main(): Promise<void> {
  const bundles = buildWorkers();
  const row = throughputRows.find((r) => r.id === ROW);
  if (!row) throw new Error(`no throughput row ${ROW}`);
  storageInMemory();
  const origin = await startOrigin();
  const port = await freePort();
  const script = WORKER === "correct" ? bundles.correct : bundles.stepgate;
  const options = WORKER === "correct" ? proxyOptions(script, origin.url) : stepgateOptions(script);
  // The inspector names the worker: `stepgate`, or `proxy` for a reference.
  const workerName = WORKER === "correct" ? "proxy" : "stepgate";
  const worker = await startInstance(WORKER, { ...options, inspectorPort: port }, log);
  pinCpus([worker], log);
  if (WORKER === "stepgate") await seedTenant(worker.mf, origin.url);
  const load = await row.load();
  await lockStep([worker], load, 3);

  const inspector = await inspect(port, workerName);
  const heap: string[] = [];
  const sampling = setInterval(async () => {
    const { usedSize } = (await inspector.send("Runtime.getHeapUsage")) as { usedSize: number };
    heap.push((usedSize / 1e6).toFixed(0));
  }, 1000);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await inspector.send("Profiler.start");
  const threadsBefore = threadsCpu(worker.pid);
  const run = await lockStep([worker], load, SECONDS);
  const threadsAfter = threadsCpu(worker.pid);
  const { profile } = (await inspector.send("Profiler.stop")) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  };
  clearInterval(sampling);
  inspector.close();
  await worker.mf.dispose();
  origin.server.close();
  writeFileSync(`${BUILD}/${WORKER}.cpuprofile`, JSON.stringify(profile));

  const where = sourcePositions(`${script}.map`);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  profile.samples.forEach((sample, i) => {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(sample)!.callFrame;
    const source = url.endsWith(script.slice(script.lastIndexOf("/") + 1)) && lineNumber >= 0 ? where(lineNumber, columnNumber) : null;
    const key = source ? `${functionName || "(anonymous)"} ${source}` : functionName || url || "(native)";
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const perRequest = (micros: number) => (micros / run.requests).toFixed(1).padStart(6);
  console.log(`${WORKER}, ${row.name}: ${run.requests} requests in ${SECONDS} s, ${run.errors[0]} not 200`);
  console.log(
    `CPU µs per request by thread: ${[...threadsAfter].map(([name, micros]) => `${name} ${perRequest(micros - (threadsBefore.get(name) ?? 0)).trim()}`).join(", ")}`,
  );
  console.log(`heap used, MB, each second: ${heap.join(" ")}`);
  console.log(`\nown time per request (sampled every ${SAMPLING_INTERVAL_US} µs; the profiler's own cost included):`);
  for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${perRequest(micros)} µs  ${key}`);
  console.log(`\nThe whole profile: ${BUILD}/${WORKER}.cpuprofile (Chrome DevTools, Performance panel).`);
}

await main();
