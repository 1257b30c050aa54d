import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { callCounts, callCountsHeader, countedStub } from "../../src/lib/call-counts";

describe("call counting for the benchmark", () => {
  it("counts each method call on a stub only when STEPGATE_COUNT_CALLS is 1", async () => {
    const stub = { status: async (n: number) => n * 2, name: "x" };
    const plain = countedStub(env, stub);
    expect(plain).toBe(stub);
    const before = callCounts.durableObjectCalls;
    const counting = countedStub({ ...env, STEPGATE_COUNT_CALLS: "1" } as Env, stub);
    expect(await counting.status(2)).toBe(4);
    expect(await counting.status(3)).toBe(6);
    expect(counting.name).toBe("x");
    expect(callCounts.durableObjectCalls - before).toBe(2);
    expect(callCountsHeader()).toMatch(/^kv=\d+;do=\d+$/);
  });
});
