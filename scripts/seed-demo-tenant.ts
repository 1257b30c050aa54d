/**
 * @module
 * Seeds the demo tenant into the local KV that `wrangler dev` reads. The host mapping is written
 * on every start; the policy only when the tenant has none yet, so what an admin changed through
 * the admin API survives a restart of `npm run dev`.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { DEMO_HOSTS, DEMO_TENANT_ID, demoPolicy } from "../demo/tenant";
import { kvKeys } from "../src/config/kv-keys";
import { PolicySchema } from "../src/config/policy-schema";

export interface DemoSeedOptions {
  /** This run's demo portal: the policy's `origin` must name it, wherever it was before. */
  origin: string;
  /** wrangler's `--persist-to <dir>`, or none for `.wrangler/state`. */
  persistTo: string[];
  /** Replace a stored policy with `demoPolicy(origin)` (`STEPGATE_RESEED=1`). */
  reseed: boolean;
  /** The environment wrangler runs with. */
  env: NodeJS.ProcessEnv;
}

/** What `wrangler kv key get` prints for a key that is not there (with exit status 0). */
const NOT_FOUND = "Value not found";
const SEED_FILE = ".wrangler/tmp/demo-seed.json";

/**
 * Writes the demo tenant's hosts and, when needed, its policy; answers the line to print.
 * @example
 * console.log(seedDemoTenant({ origin: "http://127.0.0.1:8788", persistTo: [], reseed: false, env }));
 */
export function seedDemoTenant(options: DemoSeedOptions): string {
  const { origin, reseed } = options;
  const stored = reseed ? null : storedPolicy(options);
  const hosts = DEMO_HOSTS.map((host) => ({ key: kvKeys.host(host), value: DEMO_TENANT_ID }));
  let policy: string | null = null;
  let line: string;
  if (stored === null) {
    policy = JSON.stringify(PolicySchema.parse(demoPolicy(origin)));
    line = `demo tenant: seeded its policy from demo/tenant.ts${reseed ? " afresh (STEPGATE_RESEED=1)" : ""} for ${DEMO_HOSTS.join(", ")}`;
  } else {
    // The demo portal listens where this run put it (PORT+1, DEMO_PORT): a kept policy follows it,
    // or every portal page would fail. Everything else stays as the admin left it.
    const moved = stored.origin !== origin;
    if (moved) policy = JSON.stringify(movedTo(stored, origin));
    const where = moved ? ` (origin now ${origin})` : "";
    line = `demo tenant: kept its existing policy${where}; STEPGATE_RESEED=1 npm run dev seeds demo/tenant.ts's policy again`;
  }
  const entries = policy === null ? hosts : [...hosts, { key: kvKeys.policy(DEMO_TENANT_ID), value: policy }];
  mkdirSync(".wrangler/tmp", { recursive: true });
  writeFileSync(SEED_FILE, JSON.stringify(entries));
  wrangler(options, ["kv", "bulk", "put", SEED_FILE], "seeding the demo tenant into local KV");
  return line;
}

/**
 * The kept policy with the demo portal at `origin`: its origin, and its logo when that is the
 * portal's own (the demo's `branding.logoUrl`), which the portal now serves there too.
 */
function movedTo(stored: Record<string, unknown>, origin: string): Record<string, unknown> {
  const branding = stored.branding as { logoUrl?: unknown } | undefined;
  const logoUrl = branding?.logoUrl;
  const oldOrigin = typeof stored.origin === "string" && URL.canParse(stored.origin) ? new URL(stored.origin).origin : null;
  if (typeof logoUrl !== "string" || !URL.canParse(logoUrl) || new URL(logoUrl).origin !== oldOrigin) return { ...stored, origin };
  const url = new URL(logoUrl);
  return { ...stored, origin, branding: { ...branding, logoUrl: new URL(url.pathname + url.search, origin).href } };
}

/** The demo tenant's stored policy as JSON, or null when local KV has none. */
function storedPolicy(options: DemoSeedOptions): Record<string, unknown> | null {
  const text = wrangler(options, ["kv", "key", "get", "--text", kvKeys.policy(DEMO_TENANT_ID)], "reading the demo tenant's policy").trim();
  if (text === NOT_FOUND) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below with what to do about it.
  }
  throw new Error(`the demo tenant's stored policy is not a JSON object; STEPGATE_RESEED=1 npm run dev replaces it:\n${text.slice(0, 200)}`);
}

/** Runs `wrangler <args> --local --binding POLICY` on the dev state; answers its output. */
function wrangler(options: DemoSeedOptions, args: string[], doing: string): string {
  const run = spawnSync("npx", ["wrangler", ...args, "--local", ...options.persistTo, "--binding", "POLICY"], {
    env: options.env,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`${doing} failed (wrangler exited with ${run.status})`);
  return run.stdout;
}
