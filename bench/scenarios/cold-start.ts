/** Row 6: how long a new instance takes to be ready and to answer its first request, stepgate and the bare proxy. */
import { Miniflare, type MiniflareOptions } from "miniflare";
import { proxyOptions, stepgateOptions } from "../harness/instances";
import { workerdOutput } from "../harness/workerd-output";
import { HOST } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

interface ColdStart {
  readyMs: number;
  firstResponseMs: number;
}

/** The middle of three starts. */
async function coldStartOf(options: MiniflareOptions, path: string, log: (line: string) => void): Promise<ColdStart> {
  const samples: ColdStart[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const mf = new Miniflare({ ...options, handleRuntimeStdio: workerdOutput("cold start", log) } as MiniflareOptions);
    await mf.ready;
    const ready = performance.now();
    const response = await mf.dispatchFetch(`http://${HOST}${path}`);
    await response.arrayBuffer();
    samples.push({ readyMs: ready - started, firstResponseMs: performance.now() - ready });
    await mf.dispose();
  }
  samples.sort((a, b) => a.readyMs + a.firstResponseMs - (b.readyMs + b.firstResponseMs));
  return samples[1]!;
}

const shown = (start: ColdStart) => `${Math.round(start.readyMs).toLocaleString("en")} ms / ${start.firstResponseMs.toFixed(1)} ms`;

export const coldStart: Scenario = {
  id: 6,
  async run(bench: Bench): Promise<Row[]> {
    bench.log("6. cold start");
    const stepgate = await coldStartOf(stepgateOptions(bench.scripts.stepgate), "/__stepgate/healthz", bench.log);
    const bare = await coldStartOf(proxyOptions(bench.scripts.bare, bench.origin.url), "/", bench.log);
    return [{ scenario: "6. cold start: ready / first response", stepgate: shown(stepgate), bare: shown(bare), target: null, met: null }];
  },
};
