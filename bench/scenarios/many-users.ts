/**
 * @module
 * Rows 8 and 8b: many distinct users verifying at once (issue 21), each from an address of its
 * own and all from one shared office address, at 50 and at 200 users: the latency of each
 * verification on the production bundle, and the calls each Durable Object received on an
 * instance behind the counting entry (bench/counting-worker.ts), by binding, so that the table
 * shows the tenant's object on no verification's path and no object's calls growing with the
 * users, but the office's own network object. Both instances are fresh ones of their own: the
 * 1,000 user objects and 500 network objects would bring the shared instances, after rows 1–7,
 * to SQLITE_NOMEM (see bench/scenarios/verify.ts). The full breakdown goes to the log as a table
 * (docs/scaling.md quotes it). `BENCH_USERS=50,200` chooses the sizes (the last is the row's).
 */
import { callTotals } from "../harness/calls";
import { pinCpus, startInstance, stepgateOptions } from "../harness/instances";
import { enrollUsers, nextCode, openChallenges, type PreparedVerify } from "../harness/users";
import { CALLS_PATH, type CallCounts } from "../counting-env";
import { seedTenant } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const SIZES = (process.env.BENCH_USERS ?? "50,200").split(",").map(Number);

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
  /** KV reads while answering, per verification. */
  kvPerVerify: number;
}

/** The office everyone shares in the "office" case. */
const OFFICE_ADDRESS = "203.0.113.10";
/** Long enough for every user's object to publish (500 ms) and the queue to hand the batch to its consumer (≤ 1 s). */
const STREAM_SETTLE_MS = 4_000;
/** Long enough for the `waitUntil` work of the last answer (forgetting a right answer's attempt). */
const WAIT_UNTIL_SETTLE_MS = 300;

/** An address in a /24 of its own for user `i` (198.18.0.0/15, the range set aside for benchmarks: 512 /24s). */
function ownAddress(i: number): string {
  return `198.${18 + ((i >> 8) & 1)}.${i & 255}.10`;
}

/** The user's right answer (the next time step's code: the enrolment used this one), from `address`; its status. */
async function answer(base: string, user: PreparedVerify, address: string): Promise<number> {
  const response = await fetch(`${base}${user.path}`, {
    method: "POST",
    headers: { Cookie: user.cookie, "Content-Type": "application/json", "CF-Connecting-IP": address },
    body: JSON.stringify({ factor: "totp", code: nextCode(user.secret) }),
  });
  await response.arrayBuffer();
  return response.status;
}

const ready = async (base: string, users: number, prefix: string) => openChallenges(base, await enrollUsers(base, users, prefix));

/**
 * `users` users verifying at once against both instances: the latency on the timed one, the
 * calls on the counting one.
 * @example
 * const office = await manyUsersVerifying({ stepgate, counting }, 200, "office");
 */
export async function manyUsersVerifying(target: { stepgate: string; counting: string }, users: number, address: AddressPlan): Promise<ManyUsersCase> {
  const prefix = `many-${address}-${users}`;
  const addressOf = (i: number) => (address === "office" ? OFFICE_ADDRESS : ownAddress(i));

  const timed = await ready(target.stepgate, users, prefix);
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

  const counted = await ready(target.counting, users, prefix);
  // The enrolments' own records reach the tenant's object first, so that they are not counted as the answers'.
  await sleep(STREAM_SETTLE_MS);
  const before = await callsSoFar(target.counting);
  const totalsBefore = await callTotals(target.counting);
  await Promise.all(counted.map((user, i) => answer(target.counting, user, addressOf(i))));
  await sleep(WAIT_UNTIL_SETTLE_MS);
  const totalsAfter = await callTotals(target.counting);
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
    kvPerVerify: (totalsAfter.kv - totalsBefore.kv) / users,
  };
}

const callsOf = (of: Record<string, BindingCalls>, binding: string) => {
  const c = of[binding];
  return c ? `${c.objects} / ${c.most} / ${c.total}` : "0";
};

/**
 * The cases as a markdown table: one row per case, each binding's objects, busiest object and total calls.
 * @example
 * bench.log(manyUsersTable(cases));
 */
export function manyUsersTable(cases: ManyUsersCase[]): string {
  const statuses = (of: Record<string, number>) =>
    Object.entries(of)
      .map(([status, n]) => `${n} × ${status}`)
      .join(", ");
  return [
    "| users at once | from | p50 ms | p99 ms | answers | user objects: objects / most on one / total | address-limit objects | tenant object, on the requests' path | tenant object, from the event stream |",
    "|---:|---|---:|---:|---|---|---|---|---|",
    ...cases.map(
      (c) =>
        `| ${[
          c.users,
          c.address === "own" ? "own address (one /24 each)" : "one office address",
          c.p50Ms,
          c.p99Ms,
          statuses(c.statuses),
          callsOf(c.request, "USERS"),
          callsOf(c.request, "ADDRESS_LIMITS"),
          callsOf(c.request, "TENANTS"),
          callsOf(c.stream, "TENANTS"),
        ].join(" | ")} |`,
    ),
  ].join("\n");
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

/** `objects × most on one`, for the row's cell. */
const spread = (of: Record<string, BindingCalls>, binding: string) => {
  const c = of[binding];
  return c ? `${c.objects} × ≤${c.most}` : "0";
};

/** The row of the largest case of `plan`, with the smallest's calls beside it. */
function rowOf(label: string, small: ManyUsersCase, large: ManyUsersCase): Row {
  const cell = (c: ManyUsersCase) =>
    `users ${spread(c.request, "USERS")}, networks ${spread(c.request, "ADDRESS_LIMITS")}, tenant ${c.request.TENANTS?.total ?? 0} (stream ${c.stream.TENANTS?.total ?? 0})`;
  const refused = large.users - (large.statuses["200"] ?? 0);
  // What does not grow: the busiest user object; the busiest network object, but the office's
  // one (every answer behind that address is counted there: 2 calls each, by design).
  const steady =
    large.request.USERS?.most === small.request.USERS?.most &&
    (large.address === "office" || large.request.ADDRESS_LIMITS?.most === small.request.ADDRESS_LIMITS?.most);
  const totalDo = Object.values(large.request).reduce((n, c) => n + c.total, 0);
  return {
    scenario: `${label} ${large.users} users verifying at once, ${large.address === "own" ? "each from its own /24" : "all from one office address"}`,
    stepgate: `${cell(large)}; at ${small.users}: ${cell(small)}${refused > 0 ? `; ${refused} not 200` : ""}`,
    p50: large.p50Ms,
    p99: large.p99Ms,
    calls: { durableObject: totalDo / large.users, kv: large.kvPerVerify },
    target: `tenant 0 calls; no object's calls grow ${small.users} → ${large.users}${large.address === "office" ? " (but the office's network)" : ""}`,
    met: (large.request.TENANTS?.total ?? 0) === 0 && (small.request.TENANTS?.total ?? 0) === 0 && steady,
  };
}

export const manyUsers: Scenario = {
  id: 8,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(`8. ${SIZES.join(" and ")} users verifying at once`);
    const stepgate = await startInstance("stepgate (many users)", stepgateOptions(bench.scripts.stepgate, false), bench.log);
    const counting = await startInstance("counting (many users)", stepgateOptions(bench.scripts.counting, false), bench.log);
    pinCpus([stepgate, counting], () => {});
    await seedTenant(stepgate.mf, bench.origin.url);
    await seedTenant(counting.mf, bench.origin.url);
    const target = { stepgate: stepgate.entry, counting: counting.entry };
    const cases: ManyUsersCase[] = [];
    for (const address of ["own", "office"] as const) for (const users of SIZES) cases.push(await manyUsersVerifying(target, users, address));
    await Promise.all([stepgate.mf.dispose(), counting.mf.dispose()]);
    bench.log(`many users at once, calls per object binding (objects / most on one / total):\n${manyUsersTable(cases)}`);
    bench.notes.push(
      `Many users (8, 8b): all answers sent at once, on fresh instances; "users 200 × ≤1" is 200 user objects called, at most once each; "networks" the address-limit objects; "stream" the tenant object's calls from the event stream afterwards, off the responses' path.`,
    );
    const of = (address: AddressPlan) => cases.filter((c) => c.address === address);
    const [own, office] = [of("own"), of("office")];
    return [rowOf("8.", own[0]!, own.at(-1)!), rowOf("8b.", office[0]!, office.at(-1)!)];
  },
};
