/**
 * `npm run bench:isolate`: stepgate's own JavaScript per request, beside the bare proxy's.
 * Both bundles are called thousands of times inside one workerd request with the origin
 * stubbed (bench/in-isolate-worker.js), so sockets, the load generator and the origin drop
 * out, and what is left is the JavaScript of each. The machine's noise does not drop out
 * entirely (on the shared VM, two runs differed by up to 20 µs on the protected cases, 3 µs on
 * the plain ones), so compare the best of several runs. For finding and checking hot-path
 * fixes; the targets are judged by `npm run bench`.
 *
 * One caveat: every call leaves its origin-timeout timer pending inside the one request, so
 * the timer costs more here than in real use (the timers pile up).
 */
import { Log, LogLevel, Miniflare } from "miniflare";
import { buildWorkers } from "./build";
import { COMPAT_DATE, grantCookie, HOST, JWT_SECRET, portalSession, SECRET_KEYS, seedTenant } from "./tenant";

const TIMES = Number(process.env.BENCH_TIMES ?? 3000);
const REPEATS = 5;
// Never contacted: the harness replaces `fetch`. Named so that the policy is valid.
const ORIGIN = "http://127.0.0.1:9";

interface Case {
  name: string;
  worker: "stepgate" | "bare";
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function main(): Promise<void> {
  buildWorkers();
  const mf = new Miniflare({
    log: new Log(LogLevel.NONE),
    workers: [
      {
        name: "stepgate",
        modulesRoot: "bench",
        modules: [
          { type: "ESModule", path: "bench/in-isolate-worker.js" },
          { type: "ESModule", path: "bench/.build/stepgate/index.js" },
          { type: "ESModule", path: "bench/.build/bare/bare-proxy.js" },
        ],
        compatibilityDate: COMPAT_DATE,
        kvNamespaces: ["POLICY"],
        durableObjects: {
          USERS: { className: "UserState", useSQLite: true },
          TENANTS: { className: "TenantState", useSQLite: true },
          ADDRESS_LIMITS: { className: "AddressLimitState", useSQLite: true },
        },
        // The event stream's queue the objects publish their audit to (unconsumed here: this
        // worker's entry is the harness, and no case reads the tenant's audit).
        queueProducers: { EVENTS: "stepgate-events" },
        // The stubbed origin is a loopback URL, which a production policy may not name.
        bindings: { STEPGATE_SECRET_KEYS: SECRET_KEYS, STEPGATE_ENV: "development", TENANT_BENCH_JWT_SECRET: JWT_SECRET, ORIGIN },
      },
    ],
  });
  await seedTenant(mf, ORIGIN);
  const session = `portal_session=${await portalSession("alice")}`;
  const plain = { "User-Agent": "bench", Accept: "*/*", Cookie: `${session}; theme=dark`, Host: HOST };
  const cases: Case[] = [
    { name: "bare proxy, any request", worker: "bare", method: "GET", path: "/public/page?x=1", headers: plain },
    { name: "stepgate, unprotected pass-through", worker: "stepgate", method: "GET", path: "/public/page?x=1", headers: plain },
    {
      name: "stepgate, protected operation with a valid grant",
      worker: "stepgate",
      method: "POST",
      path: "/api/withdraw",
      headers: { ...plain, "Content-Type": "application/json", Cookie: `${session}; ${await grantCookie("alice", "withdraw")}` },
      body: '{"amount":10}',
    },
    {
      name: "stepgate, login-protected page with a login grant",
      worker: "stepgate",
      method: "GET",
      path: "/app/dashboard",
      headers: { ...plain, Cookie: `${session}; ${await grantCookie("alice", "login")}` },
    },
  ];

  const call = async (c: Case, times: number) => {
    const started = performance.now();
    const response = await mf.dispatchFetch("http://harness/", { method: "POST", body: JSON.stringify({ ...c, times }) });
    const { statuses } = (await response.json()) as { statuses: number[] };
    // Every call must have been served as in use (a refused grant would measure the wrong path).
    if (statuses.length !== 1 || statuses[0] !== 200) throw new Error(`${c.name}: answered ${statuses.join(", ")}, not 200`);
    return ((performance.now() - started) * 1000) / times;
  };
  const results: Array<{ name: string; us: number }> = [];
  for (const c of cases) await call(c, 300);
  for (const c of cases) {
    const runs: number[] = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await call(c, TIMES));
    results.push({ name: c.name, us: Math.min(...runs) });
  }
  await mf.dispose();

  const bare = results[0]!.us;
  console.log(`µs per request inside one isolate, origin stubbed (${TIMES} calls, best of ${REPEATS}):\n`);
  console.log("| request | µs | over the bare proxy |\n|---|---:|---:|");
  for (const r of results) console.log(`| ${r.name} | ${r.us.toFixed(1)} | ${r === results[0] ? "—" : `+${(r.us - bare).toFixed(1)}`} |`);
}

await main();
