/**
 * Builds stepgate and the bare proxy the way they deploy (`wrangler deploy --dry-run`) into
 * `bench/.build`, for `npm run bench` and `npm run bench:isolate`.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const BUILD = "bench/.build";

/** The two bundles' paths, relative to the project root. */
export function buildWorkers(): { stepgate: string; bare: string } {
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
  for (const [config, out] of [
    ["wrangler.jsonc", `${BUILD}/stepgate`],
    ["bench/bare-proxy.wrangler.jsonc", `${BUILD}/bare`],
  ]) {
    // An absolute --outdir: wrangler resolves a relative one against the config's folder.
    const built = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--config", config!, "--outdir", resolve(out!)], { env, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building ${config} failed:\n${built.stdout}\n${built.stderr}`);
  }
  return { stepgate: `${BUILD}/stepgate/index.js`, bare: `${BUILD}/bare/bare-proxy.js` };
}
