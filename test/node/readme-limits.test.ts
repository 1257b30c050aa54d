/** The figures the docs state for stepgate's limits are the constants the code enforces. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ASSURANCE_REUSE_MS, ASSURANCE_TTL_SECONDS } from "../../src/gate/assurance";
import { KEY_SET_CACHE_SECONDS } from "../../src/gate/assurance-key-set";
import { MAX_BOUND_BODY_BYTES } from "../../src/gate/request-body";
import { WEBHOOK_TIMEOUT_MS } from "../../src/providers/webhook-post";
import { WEBHOOK_ATTEMPTS_KEPT } from "../../src/state/tenant/webhook-attempts";
import { MAX_WEBHOOKS_PER_TENANT, PREVIOUS_SECRET_MS } from "../../src/state/tenant/webhooks";

const DOC = readFileSync("docs/how-it-works.md", "utf8");

describe("README limits", () => {
  it("states the bound-body limit the code enforces", () => {
    const stated = /bound request body is read whole to be approved, up to (\d+) MiB/.exec(DOC);
    expect(stated, "the README states the bound-body limit").not.toBeNull();
    expect(Number(stated![1]) * 1024 * 1024).toBe(MAX_BOUND_BODY_BYTES);
  });
});

describe("the webhooks' limits", () => {
  const webhooks = readFileSync("docs/webhooks.md", "utf8");
  const stated = (pattern: RegExp) => Number(pattern.exec(webhooks)?.[1]);

  it("states the limits the code enforces", () => {
    expect(stated(/^- (\d+) webhooks per tenant/m)).toBe(MAX_WEBHOOKS_PER_TENANT);
    expect(stated(/the last (\d+) attempts listed per webhook/)).toBe(WEBHOOK_ATTEMPTS_KEPT);
    expect(stated(/an answer later\s+than (\d+) seconds counts as a failure/) * 1000).toBe(WEBHOOK_TIMEOUT_MS);
    expect(stated(/For the next (\d+) hours every delivery/) * 3_600_000).toBe(PREVIOUS_SECRET_MS);
  });
});

describe("the assurance's figures", () => {
  const deploy = readFileSync("docs/deploy.md", "utf8");
  const stated = (pattern: RegExp) => Number(pattern.exec(deploy)?.[1]);

  it("states the lifetime, the reuse and the key set's caching the code has", () => {
    expect(stated(/signed with ES256 under the tenant's own key, living (\d+) seconds/)).toBe(ASSURANCE_TTL_SECONDS);
    expect(stated(/sends it again, for up to (\d+) seconds/) * 1000).toBe(ASSURANCE_REUSE_MS);
    expect(stated(/`Cache-Control: public, max-age=(\d+)`/)).toBe(KEY_SET_CACHE_SECONDS);
  });
});
