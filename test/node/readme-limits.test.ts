/** The figures the docs state for stepgate's limits are the constants the code enforces. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_BOUND_BODY_BYTES } from "../../src/gate/request-body";

const DOC = readFileSync("docs/how-it-works.md", "utf8");

describe("README limits", () => {
  it("states the bound-body limit the code enforces", () => {
    const stated = /bound request body is read whole to be approved, up to (\d+) MiB/.exec(DOC);
    expect(stated, "the README states the bound-body limit").not.toBeNull();
    expect(Number(stated![1]) * 1024 * 1024).toBe(MAX_BOUND_BODY_BYTES);
  });
});
