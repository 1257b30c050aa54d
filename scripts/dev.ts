/**
 * `npm run dev`: the demo portal on PORT+1 (checking stepgate's assurance with the keys stepgate
 * publishes), the demo tenant seeded into local KV (its policy only the first time, or with
 * STEPGATE_RESEED=1), and stepgate under `wrangler dev` on PORT (default 8787) in front of it.
 *
 * `STEPGATE_DEV_QUEUE_RETRIES=<n>`: the local queues retry a failing message n times before it
 * is dead-lettered, not wrangler.jsonc's counts (up to 9 hours for a webhook), so a browser test
 * can watch one die and find it among the console's undelivered events (vitest.config.ts does the
 * same for the workerd tests).
 *
 * `STEPGATE_DEV_SYNC_DELAY_MS=<ms>`: how long the objects hold new audit entries before publishing
 * them (the `STEPGATE_SYNC_DELAY_MS` var, 500 ms in wrangler.jsonc). The local queues keep their
 * messages in memory, so a restart loses what was published and not yet consumed; the restart
 * test holds the entries long enough that none is published before it kills the server.
 */
import { serve } from "@hono/node-server";
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { experimental_readRawConfig } from "wrangler";
import { createRemoteJWKSet } from "jose";
import { createDemoPortal } from "../demo/portal";
import { DEMO_HOSTS } from "../demo/tenant";
import { ASSURANCE_KEYS_PATH } from "../src/gate/assurance-key-set";
import { writeWorkerAssets } from "./worker-assets";
import { seedDemoTenant } from "./seed-demo-tenant";

/** The configuration `queueRetries` writes. */
const QUEUE_RETRIES_CONFIG = "wrangler.dev-retries.json";
const port = Number(process.env.PORT ?? 8787);
const demoPort = Number(process.env.DEMO_PORT ?? port + 1);
const wranglerEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
// Local state (KV, Durable Objects, their alarms) persists across restarts, in .wrangler/state
// unless STEPGATE_DEV_STATE names another directory (the restart test uses a fresh one).
const persistTo = process.env.STEPGATE_DEV_STATE ? ["--persist-to", process.env.STEPGATE_DEV_STATE] : [];

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example");
}
// A .dev.vars from an older checkout may lack settings added since: add them, keep the rest.
const example = parseEnv(readFileSync(".dev.vars.example", "utf8"));
const existing = parseEnv(readFileSync(".dev.vars", "utf8"));
const missing = Object.keys(example).filter((name) => !(name in existing));
if (missing.length > 0) {
  appendFileSync(".dev.vars", `\n${missing.map((name) => `${name}=${example[name]}`).join("\n")}\n`);
  console.log(`added ${missing.join(", ")} to .dev.vars from .dev.vars.example`);
}
// What the worker reads from its assets (the words of the languages but English, the OpenAPI
// document): as src/ has them now.
await writeWorkerAssets();

const devVars = parseEnv(readFileSync(".dev.vars", "utf8"));
const jwtSecret = devVars.TENANT_DEMO_JWT_SECRET;
if (!jwtSecret) throw new Error(".dev.vars has no TENANT_DEMO_JWT_SECRET (see .dev.vars.example)");

const origin = `http://127.0.0.1:${demoPort}`;
// The portal checks stepgate's assurance with stepgate's published keys, as a portal in production
// would (docs/deploy.md): fetched from stepgate when first needed, and again for a key it does not know.
const assurance = {
  keys: createRemoteJWKSet(new URL(`http://127.0.0.1:${port}${ASSURANCE_KEYS_PATH}`)),
  issuers: DEMO_HOSTS.map((host) => `http://${host}:${port}/__stepgate`),
  audience: origin,
};
const portal = serve({ fetch: createDemoPortal({ jwtSecret, assurance }).fetch, port: demoPort, hostname: "127.0.0.1" });

// Seeded through wrangler, so the values land in the same local state `wrangler dev` reads.
const seeded = seedDemoTenant({ origin, persistTo, reseed: process.env.STEPGATE_RESEED === "1", env: wranglerEnv });
console.log(`demo portal (origin) on ${origin}`);
console.log(seeded);
console.log(`stepgate on http://localhost:${port}  ·  admin key: STEPGATE_ADMIN_KEY in .dev.vars`);

const syncDelay = process.env.STEPGATE_DEV_SYNC_DELAY_MS ? ["--var", `STEPGATE_SYNC_DELAY_MS:${process.env.STEPGATE_DEV_SYNC_DELAY_MS}`] : [];
const wrangler = spawn("npx", ["wrangler", "dev", "--port", String(port), ...persistTo, ...queueRetries(), ...syncDelay], {
  env: wranglerEnv,
  stdio: "inherit",
});
const stop = () => {
  wrangler.kill("SIGINT");
  portal.close();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
wrangler.on("exit", (code) => {
  portal.close();
  process.exit(code ?? 0);
});

/**
 * With `STEPGATE_DEV_QUEUE_RETRIES`, wrangler.jsonc with every queue consumer's `max_retries` set
 * to it, written beside wrangler.jsonc (its paths are relative to it; git-ignored), as the
 * `--config` to run; nothing otherwise.
 */
function queueRetries(): string[] {
  const retries = process.env.STEPGATE_DEV_QUEUE_RETRIES;
  if (retries === undefined) return [];
  if (!/^\d{1,2}$/.test(retries)) throw new Error(`STEPGATE_DEV_QUEUE_RETRIES is a number of retries, not ${JSON.stringify(retries)}`);
  const { rawConfig } = experimental_readRawConfig({ config: "wrangler.jsonc" });
  for (const consumer of rawConfig.queues?.consumers ?? []) consumer.max_retries = Number(retries);
  writeFileSync(QUEUE_RETRIES_CONFIG, JSON.stringify(rawConfig, null, 2));
  console.log(`queues retry ${retries} time(s) before dead-lettering (${QUEUE_RETRIES_CONFIG})`);
  return ["--config", QUEUE_RETRIES_CONFIG];
}
