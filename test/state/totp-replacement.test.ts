/**
 * Replacing the authenticator app in the user's Durable Object: the new app is pending (and the
 * old one answers) until the new one's first code is confirmed; then, in one transaction, the new
 * one is active and the old one gone — never no app, never two.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PolicySchema } from "../../src/config/policy-schema";
import type { ConfirmOutcome, EnrollmentStart, UserState } from "../../src/state/user";
import { userState } from "../../src/state/user";
import type { UserContext } from "../../src/state/user/context";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";
import { lastCodeTo } from "../support/outbox";
import { challengeFor, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const PHONE = "+14155552671";
const policy = () =>
  aPolicy({ enforcement: "required", factors: { sms: { enabled: true } }, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });
const { factors, lockout } = PolicySchema.parse(policy());
const ORIGIN = { ip: "203.0.113.9", userAgent: null, city: "Berlin", country: "DE" };

/**
 * A user whose authenticator app was enrolled (in session `<user>-0`, which that made fresh) with
 * the code of the step before `t0`, so the codes of `t0` and the step after are still unused.
 */
async function anAppUser(user: string) {
  const { base, tenantId } = await aTenant(policy());
  const token = await aSession({ sub: user, sid: `${user}-0` });
  const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
  const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
  const t0 = Date.now();
  expect((await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, { enrollmentId, code: totpCode(secret, t0 - 30_000) })).status).toBe(200);
  const state = userState(env, tenantId, user);
  const appId = (await state.status()).factors.find((f) => f.kind === "totp")!.id;
  /** Whether the old or new app's `code` answers a withdrawal's challenge. */
  const answers = async (code: string) => (await verify(base, token, await challengeFor(`${base}/echo/withdraw`, token), "totp", code)).status;
  return { base, token, state, appId, secret, t0, answers, sessionId: `${user}-0` };
}

/** The same user with a phone too (enrolled in the fresh session); `phone` is its factor id. */
async function withPhone<T extends Awaited<ReturnType<typeof anAppUser>>>(user: T): Promise<T & { phone: string }> {
  const started = await postJson(`${user.base}/__stepgate/api/enroll/sms`, user.token, { phone: PHONE });
  const { enrollmentId } = await started.json<{ enrollmentId: string }>();
  const confirmed = await postJson(`${user.base}/__stepgate/api/enroll/sms/confirm`, user.token, { enrollmentId, code: await lastCodeTo(user.base, PHONE) });
  expect(confirmed.status).toBe(200);
  return { ...user, phone: enrollmentId };
}

function replace(state: DurableObjectStub<UserState>, sessionId: string, replaces: string | null): Promise<EnrollmentStart> {
  return state.beginTotpEnrollment({ sessionId, settings: factors.totp, resume: false, replaces });
}

function confirm(state: DurableObjectStub<UserState>, sessionId: string, enrollmentId: string, code: string): Promise<ConfirmOutcome> {
  return state.confirmEnrollment({
    enrollmentId,
    kind: "totp",
    code,
    sessionId,
    challengeId: null,
    backupCodeCount: 10,
    settings: { totp: factors.totp, lockout },
    origin: ORIGIN,
  });
}

function started(start: EnrollmentStart): { enrollmentId: string; secret: string } {
  if (!start.ok) throw new Error(`not started: ${start.error}`);
  return start;
}

async function apps(state: DurableObjectStub<UserState>): Promise<Array<{ id: string; status: string }>> {
  return runInDurableObject(state, (_instance, storage) =>
    storage.storage.sql.exec<{ id: string; status: string }>("SELECT id, status FROM factors WHERE kind = 'totp' ORDER BY created_at").toArray(),
  );
}

describe("replacing the authenticator app", () => {
  it("keeps the old app answering until the new one is confirmed, then only the new one, and audits the replacement", async () => {
    const { state, appId, secret, t0, answers, sessionId } = await anAppUser("rae");
    const next = started(await replace(state, sessionId, appId));
    expect(await answers(totpCode(secret, t0))).toBe(200);
    expect((await state.status()).factors.map((f) => f.id)).toEqual([appId]);

    const confirmed = await confirm(state, sessionId, next.enrollmentId, totpCode(next.secret));
    expect(confirmed).toMatchObject({ ok: true, replaced: true, firstFactor: false, backupCodes: [] });
    expect(await apps(state)).toEqual([{ id: next.enrollmentId, status: "active" }]);
    expect(await answers(totpCode(secret, t0 + 30_000))).toBe(400);
    expect(await answers(totpCode(next.secret, Date.now() + 30_000))).toBe(200);

    const activity = await runInDurableObject(state, (instance: UserState) => instance.signInActivity(10));
    const [entry] = activity.filter((e) => e.type === "factor.replaced");
    expect(entry).toMatchObject({ detail: { factor: "totp", factorId: next.enrollmentId, replacedId: appId }, city: "Berlin", country: "DE" });
  });

  it("changes nothing when the replacement is left unconfirmed: the old app stays the only one and answers", async () => {
    const { state, appId, secret, t0, answers, sessionId } = await anAppUser("abe");
    started(await replace(state, sessionId, appId));
    expect((await state.status()).factors.map((f) => f.id)).toEqual([appId]);
    expect(await answers(totpCode(secret, t0))).toBe(200);
    // A second app is still not added beside it: only a replacement is.
    expect(await replace(state, sessionId, null)).toEqual({ ok: false, error: "already_enrolled" });
  });

  it("writes the new app and removes the old one in one transaction: a failure between them leaves the old app and the new one pending", async () => {
    const { base, token, state, appId, sessionId } = await anAppUser("tx");
    const next = started(await replace(state, sessionId, appId));
    await runInDurableObject(state, (instance) => {
      const target = instance as unknown as { context(): UserContext };
      const context = target.context.bind(instance);
      target.context = () => ({
        ...context(),
        transaction: (fn) => {
          const transaction = context().transaction;
          return transaction(() => {
            fn();
            throw new Error("storage failed half-way");
          });
        },
      });
    });
    // Through the worker, as a user would confirm it: the failure is a retry-safe 503.
    const errors = expectErrorLogs();
    const failed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, { enrollmentId: next.enrollmentId, code: totpCode(next.secret) });
    expect(failed.status).toBe(503);
    expect(errors).toHaveBeenCalledWith("stepgate: state unavailable", expect.objectContaining({ message: "storage failed half-way" }));
    expect(await apps(state)).toEqual([
      { id: appId, status: "active" },
      { id: next.enrollmentId, status: "pending" },
    ]);
  });

  it("removes nothing when another enrolment confirmed while this one was checked dropped it (second outside review)", async () => {
    const { state, appId, sessionId } = await anAppUser("gap");
    const next = started(await replace(state, sessionId, appId));
    // Between the read of the pending row and the writes (the code is checked with awaits in
    // between), another confirmation commits and drops every pending enrolment, this one too.
    await runInDurableObject(state, (instance) => {
      const target = instance as unknown as { context(): UserContext };
      const context = target.context.bind(instance);
      target.context = () => {
        const real = context();
        const sql = {
          exec: (query: string, ...bindings: unknown[]) => {
            const cursor = real.sql.exec(query, ...(bindings as []));
            if (!query.startsWith("SELECT kind, secret_sealed")) return cursor;
            const rows = cursor.toArray();
            real.sql.exec("DELETE FROM factors WHERE status = 'pending'");
            return { toArray: () => rows, one: () => rows[0] };
          },
        } as unknown as UserContext["sql"];
        return { ...real, sql };
      };
    });
    expect(await confirm(state, sessionId, next.enrollmentId, totpCode(next.secret))).toEqual({ ok: false, error: "enrollment_not_found" });
    // The old app is still there: never no app.
    expect(await apps(state)).toEqual([{ id: appId, status: "active" }]);
  });

  it("never makes two apps: of two replacements of the same app, the one confirmed second finds nothing to confirm", async () => {
    const { state, appId, sessionId } = await anAppUser("two");
    const first = started(await replace(state, sessionId, appId));
    const second = started(await replace(state, sessionId, appId));
    expect(await confirm(state, sessionId, first.enrollmentId, totpCode(first.secret))).toMatchObject({ ok: true, replaced: true });
    expect(await confirm(state, sessionId, second.enrollmentId, totpCode(second.secret))).toEqual({ ok: false, error: "enrollment_not_found" });
    expect(await apps(state)).toEqual([{ id: first.enrollmentId, status: "active" }]);
  });

  it("refuses a session without a fresh verification, and an id that is not the user's app", async () => {
    const { state, appId, sessionId, phone } = await anAppUser("ref").then(withPhone);
    expect(await replace(state, "ref-stale", appId)).toEqual({ ok: false, error: "step_up_required" });
    expect(await replace(state, sessionId, "x".repeat(22))).toEqual({ ok: false, error: "factor_not_enrolled" });
    expect(await replace(state, sessionId, phone)).toEqual({ ok: false, error: "factor_not_enrolled" });
  });

  it("does not confirm a replacement whose old app was removed meanwhile", async () => {
    const { state, appId, sessionId } = await anAppUser("gone").then(withPhone);
    const next = started(await replace(state, sessionId, appId));
    expect(await state.removeFactor({ factorId: appId, sessionId, mayRemoveLast: false, origin: ORIGIN })).toEqual({ ok: true });
    expect(await confirm(state, sessionId, next.enrollmentId, totpCode(next.secret))).toEqual({ ok: false, error: "enrollment_not_found" });
    expect((await state.status()).factors.map((f) => f.kind)).toEqual(["sms"]);
  });

  it("refuses to confirm a replacement once the session's verification is no longer fresh", async () => {
    const { state, appId, sessionId } = await anAppUser("late");
    const next = started(await replace(state, sessionId, appId));
    await runInDurableObject(state, (_instance, storage) => storage.storage.sql.exec("UPDATE fresh_sessions SET verified_at = verified_at - 3600000"));
    expect(await confirm(state, sessionId, next.enrollmentId, totpCode(next.secret))).toEqual({ ok: false, error: "step_up_required" });
    expect(await apps(state)).toEqual([
      { id: appId, status: "active" },
      { id: next.enrollmentId, status: "pending" },
    ]);
  });
});
