/**
 * What a scenario of `npm run bench` is given and gives back. A scenario is a module in this
 * folder exporting a {@link Scenario}; bench/scenarios/index.ts lists them in the table's order.
 * `BENCH_ONLY=2,4` runs the scenarios with those ids.
 */
import type { Server } from "node:http";
import type { Calls } from "../harness/calls";
import type { Instance } from "../harness/instances";
import type { Spread } from "../harness/stats";

/** Everything a scenario may load or read, started once by bench/run.ts. */
export interface Bench {
  /** stepgate's production bundle, timed. */
  stepgate: Instance;
  /** stepgate behind its counting entry (bench/counting-worker.ts): for calls per request only, never timed. */
  counting: Instance;
  /** The primary reference: the minimal correct reverse proxy (bench/correct-proxy.ts). */
  correct: Instance;
  /** The second reference: a proxy that only forwards (bench/bare-proxy.ts). */
  bare: Instance;
  /**
   * A second copy of each timed worker (stepgate's seeded alike), loaded beside the first in rows
   * 1–3: each worker's cost is the mean of its two copies, and a copy against the other is the
   * noise floor.
   */
  twins: { stepgate: Instance; correct: Instance; bare: Instance };
  origin: { server: Server; url: string };
  /** The bundles' paths (bench/build.ts). */
  scripts: { stepgate: string; correct: string; bare: string; counting: string };
  storage: "memory" | "disk";
  /** Progress to stderr, never into the table. */
  log(line: string): void;
  /** Sentences for the report's opening paragraph (how a scenario measured). */
  notes: string[];
}

/** One line of the table. Cells a row does not fill are shown as "—" or left empty. */
export interface Row {
  /** Number and name: "1. unprotected pass-through". */
  scenario: string;
  /** stepgate's figure, with its unit ("312 µs", "200 req/s", "139.1 KiB"). */
  stepgate: string;
  p50?: number;
  p99?: number;
  /** The correct proxy's figure and stepgate's ratio to it (the target's reference). */
  correct?: string;
  ratio?: Spread;
  /** The bare proxy's figure and stepgate's ratio to it. */
  bare?: string;
  bareRatio?: Spread;
  calls?: Calls;
  /** The target, in words ("≥ 0.95 × correct proxy, 0 DO, ≤ 0.01 KV"), or null when there is none. */
  target: string | null;
  /** Whether the target was met; null without a target. */
  met: boolean | null;
}

export interface Scenario {
  /** The number its rows start with; `BENCH_ONLY` selects by it. */
  id: number;
  run(bench: Bench): Promise<Row[]>;
}
