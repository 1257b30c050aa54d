/**
 * The workers under test, each a Miniflare instance (its own workerd process) in front of one
 * local origin, and where they run: the process's id (for its CPU time), the cores they are
 * pinned to, the folder their Durable Objects keep their files in.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { Log, LogLevel, Miniflare, type MiniflareOptions } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { workerdOutput } from "./workerd-output";
import { COMPAT_DATE, eventQueueConsumers, JWT_SECRET, SECRET_KEYS } from "../tenant";

export const ADMIN_KEY = "bench-admin-key";

/** A running worker: its Miniflare instance, the URLs it is loaded at and its workerd process. */
export interface Instance {
  mf: Miniflare;
  /** Its own socket, when it has one (see {@link DIRECT}); else Miniflare's entry. */
  url: string;
  /**
   * Miniflare's entry. The scenarios that wake thousands of Durable Objects go through it, as
   * they always have: at the worker's own socket, row 4's 2,000 enrolments failed with the user
   * objects' SQLite out of memory (`SQLITE_NOMEM`) in both runs tried, through the entry in none
   * (the cause was not looked into; those rows measure latency, not CPU time per request).
   */
  entry: string;
  pid: number;
}

/** The origin every worker proxies to: answers each request at once with a small JSON body. */
export async function startOrigin(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

/**
 * A socket straight to the worker, without Miniflare's entry worker in front: that router is
 * JavaScript of its own on every request in the same process (about as much CPU time as the
 * bare proxy itself), which no deployed worker pays and which would make every worker look
 * alike. {@link startInstance} loads the worker at this socket.
 */
const DIRECT = { unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] };

/**
 * stepgate's static assets as wrangler.jsonc declares them (`assets`: the directory, the `ASSETS`
 * binding, `run_worker_first`), in the form wrangler gives Miniflare. The words of every language
 * but English are read through that binding; without it a German page is shown in English.
 */
function declaredAssets() {
  const { assets } = unstable_readConfig({ config: "wrangler.jsonc" });
  if (!assets?.directory || assets.run_worker_first !== true) throw new Error("wrangler.jsonc's assets are not the worker-first assets the bench expects");
  return {
    directory: resolve(assets.directory),
    binding: assets.binding,
    routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
  };
}

/**
 * A worker with assets is reached, through Miniflare's entry and through a direct socket of its
 * own, by way of two workers of Miniflare's (an RPC proxy and the asset router: JavaScript of
 * Miniflare's on every request, in the timed process, which would count as stepgate's). So the
 * entry is routed to the worker itself (a route for every URL goes to the worker's own service),
 * and its direct socket is declared on the seeder beside it, naming stepgate's service (a socket
 * declared on the worker with assets would go to the proxy): rows 1–3 load the same worker at
 * the same kind of socket as before the assets were bound. The `ASSETS` binding itself goes to
 * Miniflare's asset worker directly, as in production.
 */
const EVERY_URL = ["*/*"];

/**
 * stepgate's bundle (or its counting build) with the bindings wrangler.jsonc declares, and the
 * directory seeder beside it; `direct`: loaded at its own socket (see {@link DIRECT}).
 */
export function stepgateOptions(script: string, direct = true): MiniflareOptions {
  return {
    log: new Log(LogLevel.NONE),
    cf: false,
    port: 0,
    workers: [
      {
        name: "stepgate",
        routes: EVERY_URL,
        scriptPath: script,
        modules: true,
        compatibilityDate: COMPAT_DATE,
        kvNamespaces: ["POLICY"],
        assets: declaredAssets(),
        durableObjects: {
          USERS: { className: "UserState", useSQLite: true },
          TENANTS: { className: "TenantState", useSQLite: true },
          ADDRESS_LIMITS: { className: "AddressLimitState", useSQLite: true },
        },
        // The event stream, as wrangler.jsonc declares it: the user objects publish their audit to it
        // (and its webhooks' sink to the webhooks' queue, for a tenant with webhooks: not the bench's;
        // its alerts' sink to the alerts' queue: the bench's users enrol, and have no address to tell).
        queueProducers: { EVENTS: "stepgate-events", WEBHOOKS: "stepgate-webhooks", NOTIFICATIONS: "stepgate-notifications" },
        queueConsumers: eventQueueConsumers(),
        bindings: {
          STEPGATE_ADMIN_KEY: ADMIN_KEY,
          STEPGATE_SECRET_KEYS: SECRET_KEYS,
          // The bench origin listens on loopback, which a production policy may not name.
          STEPGATE_ENV: "development",
          TENANT_BENCH_JWT_SECRET: JWT_SECRET,
        },
      },
      {
        name: "seeder",
        // stepgate's own socket (see EVERY_URL for why it is declared here).
        ...(direct ? { unsafeDirectSockets: [{ ...DIRECT.unsafeDirectSockets[0]!, serviceName: "stepgate" }] } : {}),
        scriptPath: "bench/seeder.js",
        modules: true,
        compatibilityDate: COMPAT_DATE,
        durableObjects: { TENANTS: { className: "TenantState", scriptName: "stepgate", useSQLite: true } },
        // To publish events as the users' objects do (row 9), to the queue the stepgate worker consumes.
        queueProducers: { EVENTS: "stepgate-events" },
      },
    ],
  } as MiniflareOptions;
}

/** A reference proxy's bundle (bench/correct-proxy.ts, bench/bare-proxy.ts) in front of `origin`. */
export function proxyOptions(script: string, origin: string): MiniflareOptions {
  return {
    log: new Log(LogLevel.NONE),
    cf: false,
    port: 0,
    workers: [{ name: "proxy", ...DIRECT, scriptPath: script, modules: true, compatibilityDate: COMPAT_DATE, bindings: { ORIGIN: origin } }],
  };
}

/**
 * Starts an instance and finds its workerd process: the child of this process that was not
 * there before. Its URL is the direct socket one of its workers declares, when one does.
 */
export async function startInstance(name: string, options: MiniflareOptions, log: (line: string) => void): Promise<Instance> {
  const before = childPids();
  const mf = new Miniflare({ ...options, handleRuntimeStdio: workerdOutput(name, log) } as MiniflareOptions);
  const entry = (await mf.ready).origin;
  const declaring = (options as { workers?: Array<{ name?: string; unsafeDirectSockets?: unknown }> }).workers?.find((worker) => worker.unsafeDirectSockets);
  const url = declaring ? (await mf.unsafeGetDirectURL(declaring.name)).origin : entry;
  const started = [...childPids()].filter((pid) => !before.has(pid));
  if (started.length !== 1) throw new Error(`expected one new workerd process, found ${started.length}`);
  return { mf, url, entry, pid: started[0]! };
}

function childPids(): Set<number> {
  const tasks = readdirSync(`/proc/${process.pid}/task`);
  return new Set(tasks.flatMap((task) => readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number)));
}

/**
 * On a machine with at least two cores, the workers get the last core and this process (load
 * generator and origin) the others, so the two sides of a measurement do not take turns on the
 * same core; `BENCH_PIN=0` turns it off. Only this run's own workerd processes are pinned, never
 * another program's. Needs `taskset` (util-linux).
 */
export function pinCpus(instances: Instance[], log: (line: string) => void): void {
  const cores = cpus().length;
  if (process.env.BENCH_PIN === "0" || cores < 2) return;
  const pinned = [
    ...instances.map((instance) => spawnSync("taskset", ["-a", "-pc", String(cores - 1), String(instance.pid)]).status),
    spawnSync("taskset", ["-a", "-pc", `0-${cores - 2}`, String(process.pid)]).status,
  ];
  if (pinned.some((status) => status !== 0)) log("could not pin CPUs with taskset; measuring unpinned");
  else
    log(
      `workerd (${instances.length} processes) on core ${cores - 1}, load generator and origin on core${cores > 2 ? "s" : ""} 0${cores > 2 ? `–${cores - 2}` : ""}`,
    );
}

/**
 * Puts Miniflare's Durable Object storage (SQLite files under the OS temporary folder) on a RAM
 * disk when the machine has one (`/dev/shm`), unless `BENCH_STORAGE=disk`. Deployed objects do
 * not write to this machine's disk; left there, the VM's write stalls were the verify p99
 * (16–97 ms over six runs on disk, 8–11 ms in RAM, p50 2–3 ms either way).
 */
export function storageInMemory(): "memory" | "disk" {
  if (process.env.BENCH_STORAGE === "disk") return "disk";
  try {
    accessSync("/dev/shm", constants.W_OK);
  } catch {
    return "disk";
  }
  // Miniflare asks `os.tmpdir()`, which reads TMPDIR, for each instance's storage folder.
  process.env.TMPDIR = "/dev/shm";
  return "memory";
}
