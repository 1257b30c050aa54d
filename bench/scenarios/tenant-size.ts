/**
 * @module
 * How the tenant's object holds up as a tenant grows, for docs/scaling.md: the admin directory
 * page and the counts by status at 100,000, 300,000 and 1,000,000 users; the bytes each directory
 * row and each audit entry take on disk; and what a code send's tenant-wide cap costs with 0,
 * 10,000 and 100,000 sends in the last hour. stepgate's production bundle under Miniflare, its
 * objects' SQLite files in a folder of this run's, filled through the tenant object's own RPC
 * methods (bench/seeder.js).
 *
 *     npx tsx bench/scenarios/tenant-size.ts
 *
 * Most of its time goes to filling the directory to a million rows;
 * `BENCH_DIRECTORY_ROWS=100000,300000`, `BENCH_AUDIT_ENTRIES=0`, `BENCH_SENDS=0,10000` choose less.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Log, LogLevel, Miniflare, type MiniflareOptions } from "miniflare";
import { buildWorkers } from "../build";
import { COMPAT_DATE, JWT_SECRET, SECRET_KEYS, seedTenant, TENANT } from "../tenant";

const ADMIN_KEY = "bench-admin-key";
const ROWS = (process.env.BENCH_DIRECTORY_ROWS ?? "100000,300000,1000000").split(",").filter(Boolean).map(Number);
const AUDIT_ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 100_000);
const SENDS = (process.env.BENCH_SENDS ?? "0,10000,100000").split(",").filter(Boolean).map(Number);
const PAGE_SAMPLES = 40;
const TIMED_SENDS = 200;

function options(script: string, persist: string): MiniflareOptions {
  return {
    log: new Log(LogLevel.NONE),
    cf: false,
    port: 0,
    durableObjectsPersist: persist,
    workers: [
      {
        name: "stepgate",
        scriptPath: script,
        modules: true,
        compatibilityDate: COMPAT_DATE,
        kvNamespaces: ["POLICY"],
        durableObjects: {
          USERS: { className: "UserState", useSQLite: true },
          TENANTS: { className: "TenantState", useSQLite: true },
          ADDRESS_LIMITS: { className: "AddressLimitState", useSQLite: true },
        },
        queueProducers: { EVENTS: "stepgate-events", WEBHOOKS: "stepgate-webhooks", NOTIFICATIONS: "stepgate-notifications" },
        bindings: { STEPGATE_ADMIN_KEY: ADMIN_KEY, STEPGATE_SECRET_KEYS: SECRET_KEYS, STEPGATE_ENV: "development", TENANT_BENCH_JWT_SECRET: JWT_SECRET },
      },
      {
        name: "seeder",
        scriptPath: "bench/seeder.js",
        modules: true,
        compatibilityDate: COMPAT_DATE,
        durableObjects: { TENANTS: { className: "TenantState", scriptName: "stepgate", useSQLite: true } },
      },
    ],
  } as MiniflareOptions;
}

/** Every SQLite file (with its WAL) under `dir`, by path: bytes. */
function fileSizes(dir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!/\.sqlite(-wal)?$/.test(name)) continue;
    const path = join(dir, name).replace(/-wal$/, "");
    sizes.set(path, (sizes.get(path) ?? 0) + statSync(join(dir, name)).size);
  }
  return sizes;
}

/** The bytes of the file that grew the most since `before`: the object just filled. */
function grownBytes(dir: string, before: Map<string, number>): number {
  return Math.max(...[...fileSizes(dir)].map(([path, size]) => size - (before.get(path) ?? 0)));
}

async function timed(url: string, headers: Record<string, string>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < PAGE_SAMPLES + 5; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    if (i >= 5) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return { p50: at(0.5), p99: at(0.99) };
}

/** What each measurement works with: the instance, its files, the seeder, and the report's lines. */
interface Run {
  base: string;
  persist: string;
  seed(body: Record<string, unknown>): Promise<Response>;
  say(line: string): void;
}

async function measureDirectory(run: Run): Promise<void> {
  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
  run.say(
    "| users in the directory | seeding s | page of 50 (enrolled, newest first) p50 / p99 ms | counts by status p50 / p99 ms | prefix search p50 / p99 ms | tenant object on disk | bytes per user |",
  );
  run.say("|---:|---:|---:|---:|---:|---:|---:|");
  let rows = 0;
  const before = fileSizes(run.persist);
  for (const target of ROWS) {
    const started = performance.now();
    await run.seed({ tenantId: TENANT, kind: "directory", from: rows, count: target - rows });
    const seconds = (performance.now() - started) / 1000;
    rows = target;
    const page = await timed(`${run.base}/__stepgate/admin/v1/users?limit=50&status=enrolled&sort=-enrolled_at`, admin);
    const counts = await timed(`${run.base}/__stepgate/admin/v1/users/counts`, admin);
    const search = await timed(`${run.base}/__stepgate/admin/v1/users?limit=50&q=user-00123`, admin);
    const bytes = grownBytes(run.persist, before);
    run.say(
      `| ${rows.toLocaleString("en")} | ${seconds.toFixed(0)} | ${page.p50} / ${page.p99} | ${counts.p50} / ${counts.p99} | ${search.p50} / ${search.p99} | ${(bytes / 1e6).toFixed(0)} MB | ${(bytes / rows).toFixed(0)} |`,
    );
  }
}

async function measureAudit(run: Run): Promise<void> {
  const before = fileSizes(run.persist);
  const started = performance.now();
  await run.seed({ tenantId: "bench-audit", kind: "audit", count: AUDIT_ENTRIES, batch: 100 });
  const seconds = (performance.now() - started) / 1000;
  const bytes = grownBytes(run.persist, before);
  run.say(
    `audit: ${AUDIT_ENTRIES.toLocaleString("en")} verify.ok entries stored from the stream in ${seconds.toFixed(1)} s (${(AUDIT_ENTRIES / seconds).toFixed(0)} a second, one call per 100 as the events consumer makes them): ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / AUDIT_ENTRIES).toFixed(0)} bytes per entry`,
  );
}

async function measureSends(run: Run): Promise<void> {
  run.say("| sends in the last hour | one more send, the tenant object's takeSend, mean ms |");
  run.say("|---:|---:|");
  let sends = 0;
  for (const target of SENDS) {
    if (target > sends) await run.seed({ tenantId: "bench-sends", kind: "sends", from: sends, count: target - sends });
    const timedSends = await run.seed({ tenantId: "bench-sends", kind: "timed-sends", from: 1_000_000 + target, count: TIMED_SENDS });
    const { msPerCall } = (await timedSends.json()) as { msPerCall: number };
    sends = target + TIMED_SENDS;
    run.say(`| ${target.toLocaleString("en")} | ${msPerCall.toFixed(2)} |`);
  }
}

async function main(): Promise<void> {
  const persist = mkdtempSync(join(process.env.BENCH_STORAGE === "disk" ? "/tmp" : "/dev/shm", "stepgate-size-"));
  const mf = new Miniflare(options(buildWorkers().stepgate, persist));
  const base = (await mf.ready).origin;
  await seedTenant(mf, "http://127.0.0.1:9");
  const seeder = await mf.getWorker("seeder");
  const lines: string[] = [];
  const run: Run = {
    base,
    persist,
    async seed(body) {
      const seeded = await seeder.fetch("http://seeder/", { method: "POST", body: JSON.stringify(body) });
      if (seeded.status !== 200) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
      return seeded as unknown as Response;
    },
    say(line) {
      console.error(line);
      lines.push(line);
    },
  };
  if (ROWS.length > 0) await measureDirectory(run);
  if (AUDIT_ENTRIES > 0) {
    run.say("");
    await measureAudit(run);
  }
  if (SENDS.length > 0) {
    run.say("");
    await measureSends(run);
  }
  await mf.dispose();
  rmSync(persist, { recursive: true, force: true });
  console.log(lines.join("\n"));
}

await main();
