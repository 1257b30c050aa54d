/**
 * Faults on the event stream (docs/events.md): a consumer that fails half-way through a batch,
 * or for longer than its retries, and a queue that refuses a user's object. Nothing is lost and
 * nothing is stored twice: a failed share of a batch is retried with backoff, then kept in the
 * dead-letter list and replayable; an outbox keeps what the queue did not take.
 *
 * Real parts throughout: the user's and the tenant's objects, the local queue (Miniflare's) and
 * the worker's own consumer. The test configuration only shortens the consumer's wait to fill a
 * batch and its number of retries (vitest.config.ts); the faults are injected into the tenant's
 * object's write, one step below its RPC entry point.
 */
import { createExecutionContext, env, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { consumeEvents, type EventSink, tenantRecords } from "../../src/flows/event-stream";
import type { EventMessage } from "../../src/state/events";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { delivered, storedEventIds, until, anEvent } from "../support/events";
import { expectErrorLogs } from "../support/expected-logs";
import { aBatch, aQueueMessage } from "../support/queue-batches";
import { challengeFor, enrollTotpViaApi, postJson } from "../support/step-up";

const policy = () => aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });

type Store = (message: EventMessage, now: number) => boolean;

/**
 * Breaks the tenant's object's write of one message (`storeMessage`, the step its `storeEvents`
 * calls per message): `fails(call)` says whether the `call`-th write throws. Returns how many
 * writes were tried and the repair.
 */
async function breakTenantWrites(tenantId: string, fails: (call: number) => boolean): Promise<{ calls: () => number; repair: () => Promise<void> }> {
  const tenant = tenantState(env, tenantId);
  let calls = 0;
  await runInDurableObject(tenant, (instance) => {
    const real = (instance as unknown as { storeMessage: Store }).storeMessage.bind(instance);
    Object.assign(instance, {
      storeMessage: (message: EventMessage, now: number) => {
        calls++;
        if (fails(calls)) throw new Error("storage unavailable");
        return real(message, now);
      },
    });
  });
  const repair = () =>
    runInDurableObject(tenant, (instance) => {
      delete (instance as unknown as Record<string, unknown>).storeMessage;
    });
  return { calls: () => calls, repair };
}

/** The stream ids of every audit entry in the user's own trail, oldest first. */
function userEventIds(tenantId: string, userId: string): Promise<string[]> {
  return runInDurableObject(userState(env, tenantId, userId), (_, state) =>
    state.storage.sql
      .exec<{ seq: number }>("SELECT seq FROM audit ORDER BY seq")
      .toArray()
      .map((row) => `u-${state.id.toString()}-${row.seq}`),
  );
}

/** A user with an app and backup codes, and `wrong` refused answers: a dozen entries or so, all unpublished. */
async function aBusyUser(base: string, sub: string, wrong = 3): Promise<void> {
  const token = await aSession({ sub });
  await enrollTotpViaApi(base, token);
  const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
  for (let i = 0; i < wrong; i++) {
    await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: "zzzz-zzzz" });
  }
}

/** Every entry the tenant's object stored for `userId`, as stream ids (repeats would show). */
async function storedFor(tenantId: string, userId: string): Promise<string[]> {
  const prefix = (await userEventIds(tenantId, userId))[0]!.replace(/-\d+$/, "-");
  return (await storedEventIds(tenantId)).filter((id) => id.startsWith(prefix));
}

describe("the events consumer failing", () => {
  it("half-way through a batch loses and doubles nothing: the batch is retried and stored once", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aBusyUser(base, "ada", 4);
    const published = await userEventIds(tenantId, "ada");
    expect(published.length).toBeGreaterThanOrEqual(6);
    // The first delivery fails after three of its messages were written.
    const fault = await breakTenantWrites(tenantId, (call) => call === 4);
    const errors = expectErrorLogs();

    expect(await runDurableObjectAlarm(userState(env, tenantId, "ada"))).toBe(true);
    await delivered(tenantId, "ada");

    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^stepgate: \d+ event\(s\) of tenant .* not taken; retrying$/), expect.anything());
    // Every message was written at least twice (the failed delivery's three, then the whole batch).
    expect(fault.calls()).toBeGreaterThan(published.length);
    await fault.repair();
    expect(await storedFor(tenantId, "ada")).toEqual(published);
    expect(await tenantState(env, tenantId).directoryEntry("ada")).toMatchObject({ status: "enrolled", factors: ["totp"] });
  });

  it("for a while keeps every event published meanwhile, and stores each once it recovers", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aBusyUser(base, "bea");
    await aBusyUser(base, "cal", 1);
    const fault = await breakTenantWrites(tenantId, () => true);
    const errors = expectErrorLogs();
    // Both users publish while every write fails; the consumer retries with backoff (1 s, 2 s).
    await runDurableObjectAlarm(userState(env, tenantId, "bea"));
    await runDurableObjectAlarm(userState(env, tenantId, "cal"));
    await until(async () => fault.calls() > 0, "the consumer's first failed write");
    expect(await storedEventIds(tenantId)).toEqual([]);
    await fault.repair();

    await delivered(tenantId, "bea");
    await delivered(tenantId, "cal");
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/not taken; retrying$/), expect.anything());
    expect(await storedFor(tenantId, "bea")).toEqual(await userEventIds(tenantId, "bea"));
    expect(await storedFor(tenantId, "cal")).toEqual(await userEventIds(tenantId, "cal"));
  });

  it("past its last retry keeps the events in the dead-letter list, and a replay stores each once", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aBusyUser(base, "dan", 1);
    const published = await userEventIds(tenantId, "dan");
    const fault = await breakTenantWrites(tenantId, () => true);
    expectErrorLogs();
    await runDurableObjectAlarm(userState(env, tenantId, "dan"));

    type DeadPage = { events: Array<{ id: string; deadAt: string; message: { kind: string; userId: string; type?: string } }>; nextCursor: string | null };
    const dead = async () => (await send(`${base}/__stepgate/admin/v1/events/dead?limit=200`, { headers: adminHeaders() })).json<DeadPage>();
    // Delivered three times (1 s and 2 s apart), then handed to the dead-letter queue, whose consumer keeps it.
    await until(async () => (await dead()).events.length === published.length + 1, "every message of the batch in the dead-letter list");
    await fault.repair();
    const listed = (await dead()).events;
    expect(
      listed
        .filter((e) => e.message.kind === "event")
        .map((e) => e.id)
        .sort(),
    ).toEqual([...published].sort());
    // A directory change is listed by user and version only: its row is users:read's.
    expect(listed.filter((e) => e.message.kind === "directory").map((e) => e.message)).toEqual([
      { kind: "directory", id: expect.stringMatching(/^d-/), tenantId, userId: "dan", version: expect.any(Number) },
    ]);
    expect(await storedEventIds(tenantId)).toEqual([]);

    for (const { id } of listed) {
      const replay = await send(`${base}/__stepgate/admin/v1/events/dead/${id}/replay`, { method: "POST", headers: adminHeaders() });
      expect(replay.status).toBe(200);
      expect(await replay.json()).toEqual({ id, replayed: true });
    }
    await until(async () => (await storedFor(tenantId, "dan")).length === published.length, "the replayed events in the tenant's audit");
    // Replayed one by one, they arrive in any order (docs/events.md): each once.
    expect((await storedFor(tenantId, "dan")).sort()).toEqual([...published].sort());
    expect((await dead()).events).toEqual([]);
    await until(async () => (await tenantState(env, tenantId).directoryEntry("dan")) !== null, "the replayed directory row");
    // Each replay is audited as the admin's.
    const replays = await send(`${base}/__stepgate/admin/v1/audit?type=event.replayed&limit=200`, { headers: adminHeaders() });
    expect((await replays.json<{ entries: unknown[] }>()).entries).toHaveLength(listed.length);
  });
});

describe("one share of a batch failing", () => {
  it("acknowledges the tenants whose share was stored and retries only the other's, with backoff", async () => {
    const [ok, broken] = [`t-${crypto.randomUUID()}`, `t-${crypto.randomUUID()}`];
    const fault = await breakTenantWrites(broken, () => true);
    expectErrorLogs();
    const messages = [anEvent(ok, "eve"), anEvent(broken, "fay"), anEvent(ok, "eve"), anEvent(broken, "fay")];
    const { batch, delays } = aBatch(
      "stepgate-events",
      messages.map((body, i) => aQueueMessage(body, body.id, i === 1 ? 3 : 1)),
    );
    const ctx = createExecutionContext();
    await consumeEvents(batch, env);
    const result = await getQueueResult(batch, ctx);
    await fault.repair();
    expect(result.explicitAcks.sort()).toEqual([messages[0]!.id, messages[2]!.id].sort());
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual([messages[1]!.id, messages[3]!.id]);
    // The third delivery of a message waits 4 s before its next, the first 1 s.
    expect([...delays]).toEqual([
      [messages[1]!.id, 4],
      [messages[3]!.id, 1],
    ]);
    expect(await storedEventIds(ok)).toEqual([messages[0]!.id, messages[2]!.id]);
    expect(await storedEventIds(broken)).toEqual([]);
  });

  it("delivers a share again to every sink when a later one failed, and the tenant's audit stores it once", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    let failures = 1;
    const flaky: EventSink = {
      name: "flaky",
      take: async () => {
        if (failures-- > 0) throw new Error("refused by the test");
      },
    };
    expectErrorLogs();
    const messages = [anEvent(tenantId, "gus"), anEvent(tenantId, "gus")];
    const deliver = async (attempts: number) => {
      const { batch } = aBatch(
        "stepgate-events",
        messages.map((body) => aQueueMessage(body, body.id, attempts)),
      );
      const ctx = createExecutionContext();
      await consumeEvents(batch, env, [tenantRecords, flaky]);
      return getQueueResult(batch, ctx);
    };
    const first = await deliver(1);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(messages.map((m) => m.id));
    const second = await deliver(2);
    expect(second.explicitAcks.sort()).toEqual(messages.map((m) => m.id).sort());
    expect(await storedEventIds(tenantId)).toEqual(messages.map((m) => m.id));
  });

  it("retries a message that is no event message, so it ends in the dead-letter queue rather than lost", async () => {
    const errors = expectErrorLogs();
    const { batch, delays } = aBatch("stepgate-events", [aQueueMessage({ kind: "unknown" }, "m1")]);
    const ctx = createExecutionContext();
    await consumeEvents(batch, env);
    expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([{ msgId: "m1" }]);
    expect([...delays]).toEqual([["m1", 1]]);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^stepgate: message m1 on stepgate-events is no event message; retrying$/), expect.anything());
  });
});

describe("a user's outbox while the queue refuses it", () => {
  it("keeps its records due, retries on its alarm, and publishes them once the queue takes them", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const user = userState(env, tenantId, "ona");
    await user.unlock({ ip: null, userAgent: null }, "bootstrap");
    // The queue binding refusing every send (the object's `env` is what its alarm publishes through).
    await runInDurableObject(user, (instance) => {
      const real = (instance as unknown as { env: Env }).env;
      const refusing = { ...real, EVENTS: { sendBatch: () => Promise.reject(new Error("refused by the test")) } };
      Object.defineProperty(instance, "env", { value: refusing, configurable: true, writable: true });
      Object.assign(instance, { realEnv: real });
    });
    const errors = expectErrorLogs();
    await runDurableObjectAlarm(user);
    expect(errors).toHaveBeenCalledWith(
      "stepgate: publishing to the event stream failed; retrying",
      expect.objectContaining({ message: "refused by the test" }),
    );
    const kept = await runInDurableObject(user, async (_, state) => ({
      shipped: state.storage.sql.exec("SELECT value FROM settings WHERE name = 'audit_shipped_seq'").toArray(),
      retryIn: ((await state.storage.getAlarm()) ?? 0) - Date.now(),
    }));
    expect(kept.shipped).toEqual([]);
    expect(kept.retryIn).toBeGreaterThan(20_000);

    await runInDurableObject(user, (instance) => {
      const holder = instance as unknown as { env: Env; realEnv: Env };
      holder.env = holder.realEnv;
    });
    await runDurableObjectAlarm(user);
    await delivered(tenantId, "ona");
    expect(await storedEventIds(tenantId)).toEqual(await userEventIds(tenantId, "ona"));
  });
});
