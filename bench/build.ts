/**
 * Builds stepgate, the correct proxy and the bare proxy the way they deploy (`wrangler deploy --dry-run`) into
 * `bench/.build`, for `npm run bench` and `npm run bench:isolate`; and, for `npm run bench`'s
 * counts, stepgate behind its counting entry (bench/counting-worker.ts), with the same settings.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const BUILD = "bench/.build";

/** The bundles' paths, relative to the project root: stepgate, the correct proxy and the bare one. */
export function buildWorkers(): { stepgate: string; correct: string; bare: string } {
  build("wrangler.jsonc", `${BUILD}/stepgate`);
  build("bench/correct-proxy.wrangler.jsonc", `${BUILD}/correct`);
  build("bench/bare-proxy.wrangler.jsonc", `${BUILD}/bare`);
  return { stepgate: `${BUILD}/stepgate/index.js`, correct: `${BUILD}/correct/correct-proxy.js`, bare: `${BUILD}/bare/bare-proxy.js` };
}

/** The counting bundle's path: stepgate's wrangler.jsonc (bindings, minifying) with bench/counting-worker.ts as its entry. */
export function buildCountingWorker(): string {
  build("wrangler.jsonc", `${BUILD}/counting`, "bench/counting-worker.ts");
  return `${BUILD}/counting/counting-worker.js`;
}

function build(config: string, out: string, entry?: string): void {
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  // An absolute --outdir: wrangler resolves a relative one against the config's folder.
  const args = ["wrangler", "deploy", "--dry-run", "--config", config, "--outdir", resolve(out), ...(entry ? [entry] : [])];
  const built = spawnSync("npx", args, { env, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building ${entry ?? config} failed:\n${built.stdout}\n${built.stderr}`);
}
