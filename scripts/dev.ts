/**
 * `npm run dev`: the demo portal on PORT+1, the demo tenant seeded into local KV (its policy
 * only the first time, or with STEPGATE_RESEED=1), and stepgate under `wrangler dev` on PORT
 * (default 8787) in front of it.
 */
import { serve } from "@hono/node-server";
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { createDemoPortal } from "../demo/portal";
import { writeWorkerAssets } from "./worker-assets";
import { seedDemoTenant } from "./seed-demo-tenant";

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

const portal = serve({ fetch: createDemoPortal({ jwtSecret }).fetch, port: demoPort, hostname: "127.0.0.1" });
const origin = `http://127.0.0.1:${demoPort}`;

// Seeded through wrangler, so the values land in the same local state `wrangler dev` reads.
const seeded = seedDemoTenant({ origin, persistTo, reseed: process.env.STEPGATE_RESEED === "1", env: wranglerEnv });
console.log(`demo portal (origin) on ${origin}`);
console.log(seeded);
console.log(`stepgate on http://localhost:${port}  ·  admin key: STEPGATE_ADMIN_KEY in .dev.vars`);

const wrangler = spawn("npx", ["wrangler", "dev", "--port", String(port), ...persistTo], { env: wranglerEnv, stdio: "inherit" });
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
