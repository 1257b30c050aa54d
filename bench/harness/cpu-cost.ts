/**
 * What a request costs a worker, as the CPU time its workerd process spent per request, and
 * stepgate's cost against a reference's (see docs/benchmark.md, "How the ratio is measured").
 *
 * Two workers are loaded in lock step: on each of {@link SLOTS} keep-alive connections to each,
 * a request goes to both at once and the next pair only when both have answered, so the two
 * see the same requests at the same moments, at the pace of the slower, whatever else the
 * machine is doing. What each process spent meanwhile is read from the kernel (every thread's
 * run time in `/proc/<pid>/task/<tid>/schedstat`, in nanoseconds): time it waited for a core
 * while other programs ran is not in it, so a busy machine slows a run without changing what
 * it measures.
 */
import { Agent, request as httpRequest } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { HOST } from "../tenant";
import type { Instance } from "./instances";
import type { Load } from "./load";
import { quantile, type Spread, spreadOf } from "./stats";

/** Requests in flight to each worker. */
export const SLOTS = 16;

/** CPU time the process has used so far, in microseconds (all its threads: the isolate's, the runtime's, V8's garbage collector's). */
export function processCpuMicros(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between listing and reading it.
    }
  }
  return nanoseconds / 1000;
}

export interface LockStepRun {
  /** CPU µs per request of each worker, in the order given. */
  cpuMicros: number[];
  /** Each worker's latencies, ms. */
  latencies: number[][];
  /** Answers other than 200, per worker. */
  errors: number[];
  requests: number;
}

/** Sends one request and resolves with its status once the answer has been read to the end. */
function send(agent: Agent, base: URL, load: Load): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { agent, host: base.hostname, port: base.port, method: load.method ?? "GET", path: load.path, headers: { host: HOST, ...load.headers } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(load.body);
  });
}

/** `workers` loaded in lock step with `load` for `seconds`. */
export async function lockStep(workers: Instance[], load: Load, seconds: number): Promise<LockStepRun> {
  const agents = workers.map(() => new Agent({ keepAlive: true, maxSockets: SLOTS }));
  const bases = workers.map((worker) => new URL(worker.url));
  const latencies: number[][] = workers.map(() => []);
  const errors = workers.map(() => 0);
  let requests = 0;
  const before = workers.map((worker) => processCpuMicros(worker.pid));
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: SLOTS }, async () => {
      while (performance.now() < end) {
        await Promise.all(
          workers.map(async (_, i) => {
            const sent = performance.now();
            const status = await send(agents[i]!, bases[i]!, load);
            latencies[i]!.push(performance.now() - sent);
            if (status !== 200) errors[i]!++;
          }),
        );
        requests++;
      }
    }),
  );
  const cpuMicros = workers.map((worker, i) => (processCpuMicros(worker.pid) - before[i]!) / requests);
  for (const agent of agents) agent.destroy();
  return { cpuMicros, latencies, errors, requests };
}

export interface CostComparison {
  /** stepgate's reference's CPU per request ÷ stepgate's, per run: stepgate's throughput as a share of the reference's. */
  ratio: Spread;
  /** Median CPU µs per request over the runs: stepgate's, the reference's. */
  mine: number;
  theirs: number;
  /** stepgate's latencies over every run, ms. */
  p50: number;
  p99: number;
  errors: number;
}

/** Collects runs of `mine` against `theirs` into a {@link CostComparison}. */
export class CostRuns {
  private readonly runs: Array<{ mine: number; theirs: number }> = [];
  private readonly latencies: number[] = [];
  private errors = 0;

  /** Adds one lock-step run of [mine, theirs], in either order (`mineFirst`). */
  add(run: LockStepRun, mineFirst: boolean): void {
    const [a, b] = mineFirst ? [0, 1] : [1, 0];
    this.runs.push({ mine: run.cpuMicros[a]!, theirs: run.cpuMicros[b]! });
    this.latencies.push(...run.latencies[a]!);
    this.errors += run.errors[0]! + run.errors[1]!;
  }

  result(): CostComparison {
    return {
      ratio: spreadOf(this.runs.map((run) => run.theirs / run.mine)),
      mine: quantile(
        this.runs.map((run) => run.mine),
        0.5,
      ),
      theirs: quantile(
        this.runs.map((run) => run.theirs),
        0.5,
      ),
      p50: quantile(this.latencies, 0.5),
      p99: quantile(this.latencies, 0.99),
      errors: this.errors,
    };
  }
}
