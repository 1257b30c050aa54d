/**
 * The workerd test runner as installed is patched (scripts/patch-vitest-pool.mjs, run by `npm
 * install`): unpatched, each request a test file makes is slower than the one before, and the
 * longest files run for many minutes into their timeouts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const RUNNER_LIB = "node_modules/@cloudflare/vitest-pool-workers/dist/worker/lib/cloudflare/test-internal.mjs";

describe("the workerd test runner", () => {
  it("wraps its entrypoint and Durable Object prototypes in a proxy once, not once more per request", () => {
    const source = readFileSync(RUNNER_LIB, "utf8");
    expect(source, "run `node scripts/patch-vitest-pool.mjs` (npm install runs it)").toContain("if (proxy === void 0) Class.prototype = proxy = new Proxy(");
    expect(source).not.toMatch(/\n\t\tClass\.prototype = new Proxy\(/);
  });
});
