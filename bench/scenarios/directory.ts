/**
 * Rows 5 and 5b: the admin directory at 100,000 users, as the API's page of 50 and as the
 * console's HTML users page, one request at a time.
 */
import { callsPerRequest } from "../harness/calls";
import { ADMIN_KEY } from "../harness/instances";
import { fire, type Load, medianOf, type Measured } from "../harness/load";
import { latencyRow } from "../harness/report";
import { consoleSession } from "../harness/users";
import { TENANT } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";

const DIRECTORY_USERS = 100_000;
/** A page's p99 target, ms: the console's pages (rows 5, 5b) and the hosted challenge page's (rows 12, 12b). */
export const PAGE_P99_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const REQUESTS_PER_RUN = 1000;
const COUNTED_REQUESTS = 300;

/** One request at a time: a warm-up, then the median of the runs. */
async function oneAtATime(base: string, load: Load): Promise<Measured> {
  await fire(base, load, { amount: REQUESTS_PER_RUN / 2 }, 1);
  const runs: Measured[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await fire(base, load, { amount: REQUESTS_PER_RUN }, 1));
  return medianOf(runs);
}

export const directory: Scenario = {
  id: 5,
  async run(bench: Bench): Promise<Row[]> {
    bench.log(`5. directory page at ${DIRECTORY_USERS} users`);
    for (const { mf } of [bench.stepgate, bench.counting]) {
      const seeder = await mf.getWorker("seeder");
      const seeded = await seeder.fetch("http://seeder/", { method: "POST", body: JSON.stringify({ tenantId: TENANT, count: DIRECTORY_USERS }) });
      if (seeded.status !== 200) throw new Error(`seeding the directory failed: ${seeded.status}`);
    }
    const api: Load = { path: "/__stepgate/admin/v1/users?limit=50&status=enrolled&sort=-enrolled_at", headers: { Authorization: `Bearer ${ADMIN_KEY}` } };
    const apiPage = await oneAtATime(bench.stepgate.entry, api);
    const apiCalls = await callsPerRequest(bench.counting.url, api, COUNTED_REQUESTS);
    // The same directory as the console's HTML page: the counts by status over every user, a
    // page of 50, the table rendered, for an admin signed in with the key form.
    const usersPage = async (base: string): Promise<Load> => ({
      path: "/__stepgate/admin/users?status=enrolled&sort=-last_seen_at",
      headers: { Cookie: await consoleSession(base), Accept: "text/html" },
    });
    const htmlPage = await oneAtATime(bench.stepgate.entry, await usersPage(bench.stepgate.entry));
    const htmlCalls = await callsPerRequest(bench.counting.url, await usersPage(bench.counting.url), COUNTED_REQUESTS);
    bench.notes.push(`Directory pages: one request at a time, the median of ${RUNS} runs of ${REQUESTS_PER_RUN}.`);
    const users = DIRECTORY_USERS.toLocaleString("en");
    return [
      latencyRow(`5. admin directory page, ${users} users, one at a time`, apiPage, apiCalls, PAGE_P99_MS),
      latencyRow(`5b. console users page (HTML), ${users} users, one at a time`, htmlPage, htmlCalls, PAGE_P99_MS),
    ];
  },
};
