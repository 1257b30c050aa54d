/**
 * `npm run bench:profile`: where stepgate's CPU time goes under load, from workerd's own CPU
 * profiler. stepgate's production bundle runs under Miniflare with its inspector open; the
 * DevTools protocol's `Profiler` samples the isolate while the bench's lock-step load runs
 * (`BENCH_PROFILE=grant` for the protected operation; pass-through by default), and the report
 * gives each function's own time per request, named by its source file and line through the
 * bundle's source map, the heap used second by second, and what each workerd thread spent per
 * request (the isolate's, and V8's helper that marks and sweeps the heap concurrently). The
 * whole profile is written to bench/.build/stepgate.cpuprofile for Chrome DevTools.
 * `BENCH_PROFILE_SECONDS` sets the length (20 s).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { BUILD, buildWorkers } from "./build";
import { lockStep } from "./harness/cpu-cost";
import { freePort, inspect } from "./harness/inspector";
import { pinCpus, startInstance, startOrigin, stepgateOptions, storageInMemory } from "./harness/instances";
import { sourcePositions } from "./harness/source-map";
import { grantCookie, portalSession, seedTenant } from "./tenant";

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
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
  const { stepgate: script } = buildWorkers();
  storageInMemory();
  const origin = await startOrigin();
  const port = await freePort();
  const stepgate = await startInstance("stepgate", { ...stepgateOptions(script), inspectorPort: port }, log);
  pinCpus([stepgate], log);
  await seedTenant(stepgate.mf, origin.url);
  const session = `portal_session=${await portalSession("alice")}`;
  const headers = { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0", Accept: "*/*", "CF-Connecting-IP": "203.0.113.7" };
  const load =
    process.env.BENCH_PROFILE === "grant"
      ? {
          method: "POST",
          path: "/api/withdraw",
          headers: { ...headers, "Content-Type": "application/json", Cookie: `${session}; ${await grantCookie("alice", "withdraw")}` },
          body: '{"amount":10}',
        }
      : { path: "/public/page?x=1", headers: { ...headers, Cookie: `${session}; theme=dark` } };
  await lockStep([stepgate], load, 3);

  const inspector = await inspect(port, "stepgate");
  const heap: string[] = [];
  const sampling = setInterval(async () => {
    const { usedSize } = (await inspector.send("Runtime.getHeapUsage")) as { usedSize: number };
    heap.push((usedSize / 1e6).toFixed(0));
  }, 1000);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
  await inspector.send("Profiler.start");
  const threadsBefore = threadsCpu(stepgate.pid);
  const run = await lockStep([stepgate], load, SECONDS);
  const threadsAfter = threadsCpu(stepgate.pid);
  const { profile } = (await inspector.send("Profiler.stop")) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  };
  clearInterval(sampling);
  inspector.close();
  await stepgate.mf.dispose();
  origin.server.close();
  writeFileSync(`${BUILD}/stepgate.cpuprofile`, JSON.stringify(profile));

  const where = sourcePositions(`${script}.map`);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  profile.samples.forEach((sample, i) => {
    const { functionName, url, lineNumber, columnNumber } = nodes.get(sample)!.callFrame;
    const source = url.endsWith("index.js") && lineNumber >= 0 ? where(lineNumber, columnNumber) : null;
    const key = source ? `${functionName || "(anonymous)"} ${source}` : functionName || url || "(native)";
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const perRequest = (micros: number) => (micros / run.requests).toFixed(1).padStart(6);
  console.log(
    `stepgate, ${process.env.BENCH_PROFILE === "grant" ? "protected operation with a valid grant" : "pass-through"}: ${run.requests} requests in ${SECONDS} s, ${run.errors[0]} not 200`,
  );
  console.log(
    `CPU µs per request by thread: ${[...threadsAfter].map(([name, micros]) => `${name} ${perRequest(micros - (threadsBefore.get(name) ?? 0)).trim()}`).join(", ")}`,
  );
  console.log(`heap used, MB, each second: ${heap.join(" ")}`);
  console.log(`\nown time per request (sampled every ${SAMPLING_INTERVAL_US} µs; the profiler's own cost included):`);
  for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${perRequest(micros)} µs  ${key}`);
  console.log(`\nThe whole profile: ${BUILD}/stepgate.cpuprofile (Chrome DevTools, Performance panel).`);
}

await main();
