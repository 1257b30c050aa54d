/**
 * @module
 * Bench scenario: many distinct users verifying at once (issue 21), each from an address of its
 * own and all from one shared office address; the latency of each verification, and the calls
 * each Durable Object received, to show that no object's calls grow with the number of users
 * but the office's own network object, and that the tenant's object is on no verification's path.
 *
 * Called by the main run (bench/run.ts) with the two instances it already has:
 *
 *     manyUsersVerifying(target: ManyUsersTarget, users: number, address: AddressPlan): Promise<ManyUsersCase>
 *       target.stepgate  base URL of the timed instance (the production bundle), serving the bench tenant
 *       target.counting  base URL of the counting instance (bench/counting-worker.ts), the same tenant
 *       users            how many users verify at once (each enrolled with TOTP, a challenge opened for each)
 *       address          "own": each user from an address in a /24 of its own; "office": all from one address
 *     manyUsersTable(cases: ManyUsersCase[]): string   the cases as a markdown table
 *
 * Run alone, it builds both bundles, starts its own instances and prints the table for 50 and
 * 200 users: `npx tsx bench/scenarios/many-users.ts` (`BENCH_USERS=50,200` to choose).
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Log, LogLevel, Miniflare, type MiniflareOptions } from "miniflare";
import { Secret, TOTP } from "otpauth";
import { buildCountingWorker, buildWorkers } from "../build";
import { CALLS_PATH, type CallCounts } from "../counting-env";
import { COMPAT_DATE, eventQueueConsumers, JWT_SECRET, portalSession, SECRET_KEYS, seedTenant } from "../tenant";

export interface ManyUsersTarget {
  stepgate: string;
  counting: string;
}

export type AddressPlan = "own" | "office";

/** One object binding's calls in a case. */
export interface BindingCalls {
  /** Objects called. */
  objects: number;
  /** Calls on the busiest one. */
  most: number;
  total: number;
}

export interface ManyUsersCase {
  users: number;
  address: AddressPlan;
  /** Each verification's time, all sent at once (the timed instance). */
  p50Ms: number;
  p99Ms: number;
  /** Answers by status: every one should be 200. */
  statuses: Record<string, number>;
  /** Calls made while answering the verifications (and the `waitUntil` work after them), by binding. */
  request: Record<string, BindingCalls>;
  /** Calls the event stream's consumers made once the users' objects published what the verifications recorded. */
  stream: Record<string, BindingCalls>;
}

/** The office everyone shares in the "office" case. */
const OFFICE_ADDRESS = "203.0.113.10";
/** Users set up this many at a time (the verifications themselves are sent all at once). */
const SETUP_CONCURRENCY = 16;
/** Long enough for every user's object to publish (500 ms) and the queue to hand the batch to its consumer (≤ 1 s). */
const STREAM_SETTLE_MS = 4_000;
/** Long enough for the `waitUntil` work of the last answer (forgetting a right answer's attempt). */
const WAIT_UNTIL_SETTLE_MS = 300;

let runs = 0;

/**
 * `users` users verifying at once against both instances: the latency on the timed one, the
 * calls on the counting one.
 * @example
 * const office = await manyUsersVerifying({ stepgate, counting }, 200, "office");
 */
export async function manyUsersVerifying(target: ManyUsersTarget, users: number, address: AddressPlan): Promise<ManyUsersCase> {
  const prefix = `many-${address}-${users}-${++runs}`;
  const addressOf = (i: number) => (address === "office" ? OFFICE_ADDRESS : ownAddress(i));

  const timed = await readyToVerify(target.stepgate, users, prefix);
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  await Promise.all(
    timed.map(async (user, i) => {
      const started = performance.now();
      const status = await answer(target.stepgate, user, addressOf(i));
      times.push(performance.now() - started);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }),
  );

  const counted = await readyToVerify(target.counting, users, prefix);
  const before = await callsSoFar(target.counting);
  await Promise.all(counted.map((user, i) => answer(target.counting, user, addressOf(i))));
  await sleep(WAIT_UNTIL_SETTLE_MS);
  const answered = await callsSoFar(target.counting);
  await sleep(STREAM_SETTLE_MS);
  const settled = await callsSoFar(target.counting);

  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return {
    users,
    address,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    statuses,
    request: byBinding(difference(answered.request, before.request)),
    stream: byBinding(difference(settled.stream, before.stream)),
  };
}

/**
 * The cases as a markdown table: one row per case, each binding's objects, busiest object and total calls.
 * @example
 * console.log(manyUsersTable([await manyUsersVerifying(target, 50, "own"), await manyUsersVerifying(target, 200, "own")]));
 */
export function manyUsersTable(cases: ManyUsersCase[]): string {
  const calls = (of: Record<string, BindingCalls>, binding: string) => {
    const c = of[binding];
    return c ? `${c.objects} / ${c.most} / ${c.total}` : "0";
  };
  const statuses = (of: Record<string, number>) =>
    Object.entries(of)
      .map(([status, n]) => `${n} × ${status}`)
      .join(", ");
  return [
    "| users at once | from | p50 ms | p99 ms | answers | user objects: objects / most on one / total | address-limit objects | tenant object, on the requests' path | tenant object, from the event stream |",
    "|---:|---|---:|---:|---|---|---|---|---|",
    ...cases.map((c) =>
      [
        c.users,
        c.address === "own" ? "own address (one /24 each)" : "one office address",
        c.p50Ms,
        c.p99Ms,
        statuses(c.statuses),
        calls(c.request, "USERS"),
        calls(c.request, "ADDRESS_LIMITS"),
        calls(c.request, "TENANTS"),
        calls(c.stream, "TENANTS"),
      ].join(" | "),
    ),
  ]
    .map((line) => (line.startsWith("|") ? line : `| ${line} |`))
    .join("\n");
}

/** An address in a /24 of its own for user `i` (198.18.0.0/15, the range set aside for benchmarks: 512 /24s). */
function ownAddress(i: number): string {
  return `198.${18 + ((i >> 8) & 1)}.${i & 255}.10`;
}

interface ReadyUser {
  cookie: string;
  secret: string;
  path: string;
}

/** `count` users enrolled with TOTP through the API, each with a challenge open for `transfer` (maxAge 0). */
async function readyToVerify(base: string, count: number, prefix: string): Promise<ReadyUser[]> {
  const ready: ReadyUser[] = [];
  for (let i = 0; i < count; i += SETUP_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(SETUP_CONCURRENCY, count - i) }, (_, j) => readyUser(base, `${prefix}-${i + j}`));
    ready.push(...(await Promise.all(batch)));
  }
  return ready;
}

async function readyUser(base: string, sub: string): Promise<ReadyUser> {
  const cookie = `portal_session=${await portalSession(sub)}`;
  const headers = { Cookie: cookie, "Content-Type": "application/json" };
  const begun = await fetch(`${base}/__stepgate/api/enroll/totp`, { method: "POST", headers });
  if (begun.status !== 201) throw new Error(`starting an enrolment failed: ${begun.status} ${await begun.text()}`);
  const { enrollmentId, secret } = (await begun.json()) as { enrollmentId: string; secret: string };
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  const confirmed = await fetch(`${base}/__stepgate/api/enroll/totp/confirm`, { method: "POST", headers, body: JSON.stringify({ enrollmentId, code }) });
  if (confirmed.status !== 200) throw new Error(`enrolment failed: ${confirmed.status} ${await confirmed.text()}`);
  const stopped = await fetch(`${base}/api/transfer`, { method: "POST", headers, body: '{"amount":1}' });
  if (stopped.status !== 401) throw new Error(`opening a challenge failed: ${stopped.status} ${await stopped.text()}`);
  const { challengeId } = (await stopped.json()) as { challengeId: string };
  return { cookie, secret, path: `/__stepgate/api/challenges/${challengeId}/verify` };
}

/** The user's right answer (the next time step's code: the enrolment used this one), from `address`; its status. */
async function answer(base: string, user: ReadyUser, address: string): Promise<number> {
  const code = new TOTP({ secret: Secret.fromBase32(user.secret) }).generate({ timestamp: Date.now() + 30_000 });
  const response = await fetch(`${base}${user.path}`, {
    method: "POST",
    headers: { Cookie: user.cookie, "Content-Type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ factor: "totp", code }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function callsSoFar(base: string): Promise<CallCounts["byObject"]> {
  return (await (await fetch(`${base}${CALLS_PATH}`)).json()) as CallCounts["byObject"];
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([key, n]) => (n > (before[key] ?? 0) ? [[key, n - (before[key] ?? 0)]] : [])));
}

/** Per binding (`USERS`, `ADDRESS_LIMITS`, `TENANTS`): objects called, calls on the busiest, all calls. */
function byBinding(calls: Record<string, number>): Record<string, BindingCalls> {
  const out: Record<string, BindingCalls> = {};
  for (const [key, n] of Object.entries(calls)) {
    const binding = key.slice(0, key.indexOf(" "));
    const b = out[binding] ?? { objects: 0, most: 0, total: 0 };
    out[binding] = b;
    b.objects++;
    b.most = Math.max(b.most, n);
    b.total += n;
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- run alone

/** One stepgate instance as bench/run.ts's `stepgateOptions` makes it (less its directory seeder). */
function instanceOptions(script: string): MiniflareOptions {
  return {
    log: new Log(LogLevel.NONE),
    cf: false,
    port: 0,
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
    queueConsumers: eventQueueConsumers(),
    bindings: { STEPGATE_SECRET_KEYS: SECRET_KEYS, STEPGATE_ENV: "development", TENANT_BENCH_JWT_SECRET: JWT_SECRET },
  } as MiniflareOptions;
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_USERS ?? "50,200").split(",").map(Number);
  // Durable Object storage on a RAM disk, as bench/run.ts does (its `storageInMemory`): this VM's
  // disk stalls are not stepgate's.
  if (process.env.BENCH_STORAGE !== "disk" && existsSync("/dev/shm")) process.env.TMPDIR = "/dev/shm";
  const stepgateScript = buildWorkers().stepgate;
  const countingScript = buildCountingWorker();
  const origin = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}'));
  });
  await new Promise<void>((listening) => origin.listen(0, "127.0.0.1", listening));
  const originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  const stepgate = new Miniflare(instanceOptions(stepgateScript));
  const counting = new Miniflare(instanceOptions(countingScript));
  const [stepgateUrl, countingUrl] = (await Promise.all([stepgate.ready, counting.ready])).map((url) => url.origin);
  await seedTenant(stepgate, originUrl);
  await seedTenant(counting, originUrl);
  const target = { stepgate: stepgateUrl!, counting: countingUrl! };
  const cases: ManyUsersCase[] = [];
  for (const address of ["own", "office"] as const) {
    for (const users of sizes) {
      console.error(`many-users: ${users} users, ${address === "own" ? "each from its own address" : "from one office address"}`);
      cases.push(await manyUsersVerifying(target, users, address));
    }
  }
  await Promise.all([stepgate.dispose(), counting.dispose()]);
  origin.close();
  console.log(manyUsersTable(cases));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
