/**
 * Row 11: a full passkey verification through the user's Durable Object, one at a time: row 4
 * with a passkey instead of a TOTP code. Users enrol a passkey through the user API's real
 * ceremony with the tests' software authenticator (bench/harness/passkeys.ts), on the tenant's
 * `localhost` hostname (a relying party ID cannot be an IP address). Before each run every user's
 * challenge is opened, its request options fetched and the assertion made; the run times the
 * verify requests alone (`POST …/verify` with the assertion: the signature checked against the
 * stored key, the counter moved, the grant issued), as row 4 times the TOTP code's.
 *
 * Target p99 ≤ 20 ms, row 4's: it is the same wait for the user (the answer after their touch),
 * with the same Durable Object round trips; a P-256 signature check in WebCrypto takes well
 * under a millisecond, so a passkey should not need a looser bound than a code.
 */
import { callsPerRequest } from "../harness/calls";
import { fire, type Load, medianOf, type Measured } from "../harness/load";
import { latencyRow } from "../harness/report";
import { pinCpus, startInstance, stepgateOptions } from "../harness/instances";
import { enrollPasskeyUsers, passkeyAnswers, passkeyOrigin, type PreparedAssertion } from "../harness/passkeys";
import { seedTenant } from "../tenant";
import type { Bench, Row, Scenario } from "./scenario";
import { VERIFY_P99_MS } from "./verify";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Each run answers a new challenge of each user: 150 objects, far from where one workerd process meets SQLITE_NOMEM (see verify.ts). */
const USERS = 150;
const COUNTED_VERIFIES = 100;

/** Each request posts the next prepared assertion, at the passkey origin's host. */
function assertionLoad(base: string, prepared: PreparedAssertion[]): Load {
  const host = new URL(passkeyOrigin(base)).host;
  let next = 0;
  return {
    method: "POST",
    path: "/",
    next: () => {
      const answer = prepared[next++ % prepared.length]!;
      return { path: answer.path, headers: { host, Cookie: answer.cookie, "Content-Type": "application/json" }, body: answer.body };
    },
  };
}

export const passkeyVerify: Scenario = {
  id: 11,
  async run(bench: Bench): Promise<Row[]> {
    bench.log("11. full passkey verify");
    // A fresh instance, as row 4's: its users' objects are the only ones in its process.
    const instance = await startInstance("stepgate (passkeys)", stepgateOptions(bench.scripts.stepgate, false), bench.log);
    pinCpus([instance], () => {});
    await seedTenant(instance.mf, bench.origin.url);
    const base = instance.entry;
    const users = await enrollPasskeyUsers(base, USERS, "pk");
    // Answers are prepared just before each run: a user answers seconds after their request was stopped.
    const answer = async (amount = USERS) => fire(base, assertionLoad(base, await passkeyAnswers(base, users)), { amount }, 1);
    await answer(USERS / 3);
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await answer());
    const verified = medianOf(runs);
    if (verified.errors > 0) bench.log(`11: ${verified.errors} verifications were refused`);
    await instance.mf.dispose();
    const counting = bench.counting.url;
    const counted = await passkeyAnswers(counting, await enrollPasskeyUsers(counting, COUNTED_VERIFIES, "pk-c"));
    const calls = await callsPerRequest(counting, assertionLoad(counting, counted), COUNTED_VERIFIES);
    bench.notes.push(`Passkey verify: ${RUNS} runs of ${USERS} users, one at a time, each answering a challenge opened and asked for just before.`);
    return [latencyRow("11. full verify (passkey) through the Durable Object, one at a time", verified, calls, VERIFY_P99_MS)];
  },
};
