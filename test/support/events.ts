/**
 * The event stream in the tests: waiting (bounded) for the queue's consumer, which runs a
 * moment after an object published, and building stream messages to store directly.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { StreamEvent } from "../../src/state/events";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";

/** How long a test waits for the consumer before it fails: retries after a failure take seconds. */
const DELIVERY_TIMEOUT_MS = 15_000;
const POLL_MS = 20;

/**
 * Polls `check` until it answers true, or fails the test naming `what` after `timeoutMs`.
 * @example
 * await until(() => auditHas(tenantId, id), "the event in the tenant's audit");
 */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) expect.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** What a user's object has published: its last audit entry's event id and its directory version (`null`: none, or still due). */
async function published(tenantId: string, userId: string): Promise<{ eventId: string | null; version: number | null }> {
  return runInDurableObject(userState(env, tenantId, userId), (_, state) => {
    const value = (name: string) =>
      state.storage.sql.exec<{ value: number | null }>("SELECT value FROM settings WHERE name = ?", name).toArray()[0]?.value ?? null;
    const shipped = value("audit_shipped_seq");
    return {
      eventId: shipped ? `u-${state.id.toString()}-${shipped}` : null,
      version: value("directory_dirty") === 0 ? value("directory_version") : null,
    };
  });
}

/** Whether the tenant's object holds the audit entry `eventId` and the user's directory row at `version` or later. */
function tenantHolds(tenantId: string, userId: string, eventId: string | null, version: number | null): Promise<boolean> {
  return runInDurableObject(tenantState(env, tenantId), (_, state) => {
    const sql = state.storage.sql;
    const hasEvent = eventId === null || sql.exec("SELECT 1 FROM audit WHERE event_id = ?", eventId).toArray().length > 0;
    const row = sql.exec<{ version: number }>("SELECT version FROM directory WHERE user_id = ?", userId).toArray()[0];
    return hasEvent && (version === null || (row !== undefined && row.version >= version));
  });
}

/**
 * Waits until the tenant's object holds everything the user's object has published so far
 * (delivered by the queue's consumer).
 * @example
 * await runDurableObjectAlarm(userState(env, tenantId, "ann")); await delivered(tenantId, "ann");
 */
export async function delivered(tenantId: string, userId: string): Promise<void> {
  const { eventId, version } = await published(tenantId, userId);
  await until(() => tenantHolds(tenantId, userId, eventId, version), `${userId}'s published records in tenant ${tenantId}'s object`);
}

/** The ids of the tenant's audit entries that came from the stream or were published, oldest first (with repeats, if any were stored twice). */
export function storedEventIds(tenantId: string): Promise<string[]> {
  return runInDurableObject(tenantState(env, tenantId), (_, state) =>
    state.storage.sql
      .exec<{ event_id: string }>("SELECT event_id FROM audit WHERE event_id IS NOT NULL ORDER BY seq")
      .toArray()
      .map((row) => row.event_id),
  );
}

let nextTestSeq = 1;

/**
 * A user's audit event as the stream carries it, numbered from an invented user object.
 * @example
 * await tenantState(env, tenantId).storeEvents(tenantId, [anEvent(tenantId, "kim", { type: "verify.ok" })]);
 */
export function anEvent(tenantId: string, userId: string, fields: Partial<StreamEvent> = {}): StreamEvent {
  return {
    kind: "event",
    id: `u-${"a".repeat(64)}-${nextTestSeq++}`,
    tenantId,
    type: "verify.ok",
    at: new Date().toISOString(),
    userId,
    actor: null,
    ip: "203.0.113.9",
    userAgent: "test",
    city: null,
    country: null,
    detail: {},
    ...fields,
  };
}
