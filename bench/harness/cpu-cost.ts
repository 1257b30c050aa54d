/**
 * What a request costs a worker, as the CPU time its workerd process spent per request, and
 * stepgate's cost against the references' (see docs/benchmark.md, "How the ratio is measured").
 *
 * stepgate and the references are loaded in lock step: on each of {@link SLOTS} keep-alive
 * connections to each, a request goes to every one at once and the next only when all have
 * answered, so they see the same requests at the same moments, at the pace of the slowest,
 * whatever else the machine is doing; a run goes round the orders in which they are asked
 * ({@link loadTogether}). What each process spent meanwhile is read from the kernel (every
 * thread's run time in `/proc/<pid>/task/<tid>/schedstat`, in nanoseconds): time it waited for a
 * core while other programs ran is not in it, so a busy machine slows a run without changing
 * what it measures.
 */
import { Agent, request as httpRequest } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { HOST } from "../tenant";
import type { Instance } from "./instances";
import type { Load } from "./load";
import { quantile } from "./stats";

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
export function send(agent: Agent, base: URL, load: Load): Promise<number> {
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

/** A keep-alive agent per worker: its {@link SLOTS} connections, kept from one lock-step segment to the next. */
export const agentsFor = (workers: Instance[]) => workers.map(() => new Agent({ keepAlive: true, maxSockets: SLOTS }));

/**
 * `workers` loaded in lock step with `load` for `seconds`, through `agents` (one per worker, in
 * the same order; made for this call and closed after it when not given).
 */
export async function lockStep(workers: Instance[], load: Load, seconds: number, given?: Agent[]): Promise<LockStepRun> {
  const agents = given ?? agentsFor(workers);
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
  if (!given) for (const agent of agents) agent.destroy();
  return { cpuMicros, latencies, errors, requests };
}

/** One segment of a run, in seconds: the order in which the workers are asked changes from one to the next. */
export const SEGMENT_SECONDS = 1;

/** Every rotation of `0…n-1` and its reverse: over a cycle of these, each worker is asked first, and after each other, equally often. */
function orders(n: number): number[][] {
  const rotations = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, i) => (i + r) % n));
  return n < 3 ? rotations : [...rotations, ...rotations.map((order) => [...order].reverse())];
}

export interface Run {
  /** CPU µs per request of each worker over the run, in the order given. */
  cpuMicros: number[];
  /** The first worker's latencies, ms. */
  latencies: number[];
  errors: number;
}

/**
 * `workers` loaded together for about `seconds`, in one-second lock-step segments whose order
 * goes round every rotation and its reverse (for three workers: ABC, BCA, CAB, CBA, ACB, BAC),
 * their CPU time and requests summed over the run. Asked first, a worker's request can start
 * before the others': on a busy machine that moved a one-second segment's ratio by up to a
 * third, one way or the other, and a full cycle of orders cancels it. A segment alone is too
 * short to be a ratio: with the machine shared, stepgate against the correct proxy gave 0.77–0.93
 * (interquartile) over one-second segments and 0.83–0.88 over six-second runs of them (three
 * workers); with four (stepgate, the correct proxy and its copy, the bare proxy), sixteen-second
 * runs gave 0.853–0.863, and the copy against the correct proxy 1.003–1.006 — but as much as
 * 0.93–1.03 in other rows and runs; rows 1–3 now load two copies of each (docs/benchmark.md).
 */
export async function loadTogether(workers: Instance[], load: Load, seconds: number): Promise<Run> {
  const cycle = orders(workers.length);
  const micros = workers.map(() => 0);
  let requests = 0;
  const latencies: number[] = [];
  let errors = 0;
  const segments = Math.max(cycle.length, Math.round(seconds / SEGMENT_SECONDS / cycle.length) * cycle.length);
  // Connections kept open over the run, as a browser's and Cloudflare's edge's are. New ones each
  // segment (16 a second to each worker) added their setup to every worker's cost (row 2: the
  // correct proxy's 506 µs a request became 472 µs when kept) and widened the quartiles (row 2
  // against the bare proxy: 0.76–0.82, then 0.74–0.76).
  const agents = agentsFor(workers);
  for (let i = 0; i < segments; i++) {
    const order = cycle[i % cycle.length]!;
    const segment = await lockStep(
      order.map((w) => workers[w]!),
      load,
      SEGMENT_SECONDS,
      order.map((w) => agents[w]!),
    );
    order.forEach((w, position) => {
      micros[w]! += segment.cpuMicros[position]! * segment.requests;
      if (w === 0) latencies.push(...segment.latencies[position]!);
    });
    requests += segment.requests;
    errors += segment.errors.reduce((sum, n) => sum + n, 0);
  }
  for (const agent of agents) agent.destroy();
  return { cpuMicros: micros.map((total) => total / requests), latencies, errors };
}

/** The first worker's latencies over every run of {@link loadTogether}, ms, and every worker's answers other than 200. */
export function latenciesOf(runs: Run[]): { p50: number; p99: number; errors: number } {
  const latencies = runs.flatMap((run) => run.latencies);
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}
