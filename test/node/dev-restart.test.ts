/**
 * A restart of `npm run dev` in the middle of verifications loses no audit entry and no
 * directory update. Users enrol, answer wrong until locked out, and new users enrol; the server
 * is killed right after the last answer, before the user objects' publish alarms ran, and
 * started again on the same local state. Woken by their saved alarms, without their names, the
 * user objects must still send everything to their own tenant, and so must an admin's unlock.
 *
 * The first server holds new entries {@link HOLD_MS} before publishing (deployed: 0.5 s): the
 * local queues keep messages in memory, so entries published and not yet consumed when the
 * server is killed are lost locally (Cloudflare's queues keep them); on a busy machine the
 * lockouts took longer than 0.5 s, and the test then failed on entries the platform would have kept.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { afterAll, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../browser/dev-server";

const LOCKED_USERS = ["rs-alf", "rs-bea", "rs-cyd"];
const NEW_USERS = ["rs-dan", "rs-eve"];
const WRONG_ANSWERS = 5;
/** How long the first server's objects hold new entries: longer than the lockouts take. */
const HOLD_MS = 20_000;
/** Long enough for the held alarms to ring, and for one that failed once to be tried again (`PUBLISH_RETRY_MS`, 30 s). */
const SYNC_WAIT_MS = HOLD_MS + 45_000;

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-restart-"));
let server: DevServer | undefined;

afterAll(async () => {
  await server?.stop("SIGKILL");
  rmSync(stateDir, { recursive: true, force: true });
});

async function signIn(base: string, user: string): Promise<string> {
  const response = await fetch(`${base}/login`, { method: "POST", body: new URLSearchParams({ username: user, password: "x" }), redirect: "manual" });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("portal_session="));
  expect(cookie, `sign-in of ${user}`).toBeDefined();
  return cookie!.split(";")[0]!;
}

async function postJson(url: string, cookie: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { Cookie: cookie, "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
}

async function enroll(base: string, cookie: string): Promise<void> {
  const started = await postJson(`${base}/__stepgate/api/enroll/totp`, cookie, {});
  expect(started.status).toBe(201);
  const { enrollmentId, secret } = (await started.json()) as { enrollmentId: string; secret: string };
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  expect((await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, cookie, { enrollmentId, code })).status).toBe(200);
}

/** Enrols, opens a challenge and answers it wrong until the user is locked out. */
async function lockOut(base: string, user: string): Promise<void> {
  const cookie = await signIn(base, user);
  await enroll(base, cookie);
  const opened = await postJson(`${base}/api/withdraw`, cookie, { amount: 1, currency: "USD", to: "x" });
  expect(opened.status).toBe(401);
  const { challengeId } = (await opened.json()) as { challengeId: string };
  for (let i = 0; i < WRONG_ANSWERS; i++) {
    const answered = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, cookie, { factor: "backup_code", code: "zzzz-zzzz" });
    expect(answered.status).toBe(400);
  }
}

type AuditEntry = { type: string; user: string | null };
type DirectoryEntry = { userId: string; status: string; locked: boolean };

it("loses no audit entry or directory update when the dev server is killed mid-verification and started again", async () => {
  server = await startDevServer({ stateDir, env: { STEPGATE_DEV_SYNC_DELAY_MS: String(HOLD_MS) } });
  const base = server.base;
  const started = Date.now();
  await Promise.all([...LOCKED_USERS.map((user) => lockOut(base, user)), ...NEW_USERS.map(async (user) => enroll(base, await signIn(base, user)))]);
  expect(Date.now() - started, "the lockouts took longer than the entries were held").toBeLessThan(HOLD_MS);
  await server.stop("SIGKILL");

  server = await startDevServer({ stateDir });
  const adminKey = /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();
  const admin = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${server!.base}/__stepgate/admin/v1${path}`, { headers: { Authorization: `Bearer ${adminKey}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  const expected = (user: string) =>
    LOCKED_USERS.includes(user)
      ? { enrolled: 1, failed: WRONG_ANSWERS, lockouts: 1, status: "enrolled", locked: true }
      : { enrolled: 1, failed: 0, lockouts: 0, status: "enrolled", locked: false };
  const seen = async (user: string) => {
    const { entries } = await admin<{ entries: AuditEntry[] }>(`/audit?user=${user}&limit=200`);
    const { users } = await admin<{ users: DirectoryEntry[] }>(`/users?q=${user}`);
    const listed = users.find((u) => u.userId === user);
    return {
      enrolled: entries.filter((e) => e.type === "factor.enrolled").length,
      failed: entries.filter((e) => e.type === "verify.failed").length,
      lockouts: entries.filter((e) => e.type === "lockout.started").length,
      status: listed?.status ?? "absent",
      locked: listed?.locked ?? false,
    };
  };
  const all = [...LOCKED_USERS, ...NEW_USERS];
  const deadline = Date.now() + SYNC_WAIT_MS;
  let found = await Promise.all(all.map(seen));
  while (Date.now() < deadline && !all.every((user, i) => JSON.stringify(found[i]) === JSON.stringify(expected(user)))) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    found = await Promise.all(all.map(seen));
  }
  expect(Object.fromEntries(all.map((user, i) => [user, found[i]]))).toEqual(Object.fromEntries(all.map((user) => [user, expected(user)])));

  // An admin's unlock now reaches an object its alarm woke without a name: it lands in this tenant too.
  const unlocked = await fetch(`${server.base}/__stepgate/admin/v1/users/${LOCKED_USERS[0]}/unlock`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminKey}` },
  });
  expect(unlocked.status).toBe(200);
  const { entries } = await admin<{ entries: AuditEntry[] }>(`/audit?user=${LOCKED_USERS[0]}&type=lockout.cleared`);
  expect(entries).toHaveLength(1);
  expect((await seen(LOCKED_USERS[0]!)).locked).toBe(false);
}, 200_000);
