import { describe, expect, it } from "vitest";
import { mergePatch } from "../../src/lib/merge-patch";

describe("mergePatch (RFC 7396)", () => {
  it.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("merges %j with %j as the RFC's appendix A says", (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it("keeps a __proto__ key as an own field, never as the result's prototype", () => {
    const merged = mergePatch({ a: { b: 1 } }, JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1}}}')) as Record<string, any>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, "__proto__")).toBe(true);
    expect(merged.polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged.a)).toBe(Object.prototype);
    expect(Object.keys(merged.a)).toEqual(["b", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
