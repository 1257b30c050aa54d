import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { aSession, aTenant } from "../support/builders";

const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

/** The running totals a `StepGate-Calls: kv=<reads>;do=<calls>` header reports. */
function totals(response: Response): { kv: number; do: number } {
  const [, kv, calls] = /^kv=(\d+);do=(\d+)$/.exec(response.headers.get("StepGate-Calls") ?? "") ?? [];
  expect(kv, "StepGate-Calls header").toBeDefined();
  return { kv: Number(kv), do: Number(calls) };
}

describe("counting KV reads and Durable Object calls for the benchmark", () => {
  it("leaves stepgate's own answers without counts, whatever its variables say", async () => {
    const { default: worker } = await import("../../src/index");
    const { base } = await aTenant();
    const asBenchmarkedBefore = { ...env, STEPGATE_COUNT_CALLS: "1" } as Env;
    for (const path of ["/__stepgate/healthz", "/echo/page", "/__stepgate/dev/outbox"]) {
      const response = await worker.fetch(new Request(`${base}${path}`), asBenchmarkedBefore, ctx);
      expect(response.status, path).toBe(200);
      expect(response.headers.has("StepGate-Calls"), path).toBe(false);
    }
  });

  it("reports each KV read and Durable Object call in the benchmark's counting entry", async () => {
    const { default: counting } = await import("../../bench/counting-worker");
    const { base } = await aTenant();
    const call = async (path: string, init: RequestInit = {}) => {
      const before = totals(await counting.fetch(new Request(`${base}/__stepgate/healthz`), env, ctx));
      const response = await counting.fetch(new Request(`${base}${path}`, init), env, ctx);
      expect(response.status, path).toBe(200);
      const after = totals(response);
      return { kv: after.kv - before.kv, do: after.do - before.do };
    };
    // A new host is read from KV (its tenant, then its policy), then served from the isolate's cache.
    expect(await call("/echo/first")).toEqual({ kv: 2, do: 0 });
    expect(await call("/echo/again")).toEqual({ kv: 0, do: 0 });
    // The development outbox is one call on the tenant's object.
    expect(await call("/__stepgate/dev/outbox")).toEqual({ kv: 0, do: 1 });
    // The signed-in user's status and devices, from the user's object.
    const me = await call("/__stepgate/api/me", { headers: { Cookie: `portal_session=${await aSession({ sub: "counted" })}` } });
    expect(me.kv).toBe(0);
    expect(me.do).toBeGreaterThanOrEqual(2);
  });
});
