/**
 * The event stream's pure parts (docs/events.md): stable message ids, the message schema, the
 * split into `sendBatch` calls, the grouping by tenant and the retry backoff; and a user's
 * object handing out the same messages, with the same ids, each time until they are published.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../src/flows/event-stream";
import { groupByTenant } from "../../src/flows/queue-batch";
import {
  auditEventId,
  batchesOf,
  directoryEventId,
  type EventMessage,
  EventMessage as EventMessageSchema,
  MAX_EVENT_DETAIL_BYTES,
  MessageId,
  publishedDetail,
} from "../../src/state/events";
import { userState } from "../../src/state/user";
import { anEvent } from "../support/events";

const OBJECT_ID = "0123456789abcdef".repeat(4);

describe("message ids", () => {
  it("are made of where the record was made, so the same record always has the same id", () => {
    expect(auditEventId({ object: "user", objectId: OBJECT_ID }, 42)).toBe(`u-${OBJECT_ID}-42`);
    expect(auditEventId({ object: "tenant", objectId: OBJECT_ID }, 42)).toBe(`t-${OBJECT_ID}-42`);
    expect(directoryEventId(OBJECT_ID, 3)).toBe(`d-${OBJECT_ID}-3`);
    for (const id of [auditEventId({ object: "user", objectId: OBJECT_ID }, 1), directoryEventId(OBJECT_ID, 7)]) expect(MessageId.parse(id)).toBe(id);
  });

  it("are safe in a URL path and refuse anything else", () => {
    for (const id of ["x-abc-1", `u-${OBJECT_ID}`, `u-${OBJECT_ID}-1/..`, `u-${OBJECT_ID.toUpperCase()}-1`, ""])
      expect(MessageId.safeParse(id).success, id).toBe(false);
  });

  it("are handed out unchanged by a user's object until the queue took them", async () => {
    const tenantId = `t-${crypto.randomUUID()}`;
    const user = userState(env, tenantId, "ida");
    await user.status(undefined, "ida@example.test");
    await user.unlock({ ip: "203.0.113.9", userAgent: "test", city: "Berlin", country: "DE" }, "bootstrap");
    const first = (await user.pendingEvents()) as EventMessage[];
    const again = (await user.pendingEvents()) as EventMessage[];
    expect(again).toEqual(first);
    expect(first.map((m) => EventMessageSchema.parse(m))).toEqual(first);
    expect(first).toEqual([
      {
        kind: "event",
        id: `u-${user.id.toString()}-1`,
        tenantId,
        type: "lockout.cleared",
        at: expect.any(String),
        userId: "ida",
        actor: "bootstrap",
        ip: "203.0.113.9",
        userAgent: "test",
        city: "Berlin",
        country: "DE",
        detail: expect.objectContaining({ actor: "bootstrap" }),
      },
      {
        kind: "directory",
        id: expect.stringMatching(new RegExp(`^d-${user.id.toString()}-\\d+$`)),
        tenantId,
        row: expect.objectContaining({ userId: "ida", email: "ida@example.test" }),
      },
    ]);
  });
});

describe("an event's detail", () => {
  it("is published as recorded, or as its size when it would not fit a queue message", () => {
    expect(publishedDetail({ factor: "totp" })).toEqual({ factor: "totp" });
    const big = { note: "x".repeat(MAX_EVENT_DETAIL_BYTES) };
    expect(publishedDetail(big)).toEqual({ omitted: "too_large", bytes: MAX_EVENT_DETAIL_BYTES + 11 });
  });
});

describe("splitting messages into sendBatch calls", () => {
  it("puts at most 100 messages in one call, in order", () => {
    const messages = Array.from({ length: 250 }, () => anEvent("acme", "kim"));
    const batches = batchesOf(messages);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(messages);
  });

  it("keeps each call under 256 KB", () => {
    const messages = Array.from({ length: 20 }, () => anEvent("acme", "kim", { detail: { note: "x".repeat(30_000) } }));
    const batches = batchesOf(messages);
    expect(batches.map((b) => b.length)).toEqual([8, 8, 4]);
    for (const batch of batches) expect(new TextEncoder().encode(JSON.stringify(batch)).byteLength).toBeLessThan(256 * 1024);
    expect(batches.flat()).toEqual(messages);
  });

  it("makes no call for nothing", () => {
    expect(batchesOf([])).toEqual([]);
  });
});

describe("grouping a batch by tenant", () => {
  it("gives each tenant its messages in the batch's order", () => {
    const [a1, b1, a2] = [anEvent("a", "kim"), anEvent("b", "kim"), anEvent("a", "lou")];
    expect([...groupByTenant([a1!, b1!, a2!], (m) => m.tenantId)]).toEqual([
      ["a", [a1, a2]],
      ["b", [b1]],
    ]);
  });
});

describe("the retry backoff", () => {
  it("doubles from 1 s up to 5 minutes", () => {
    expect([1, 2, 3, 4, 5, 9, 10, 11, 50].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 16, 256, 300, 300, 300]);
  });
});
