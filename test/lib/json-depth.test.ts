/**
 * The nesting limit on JSON bodies: the character scan agrees with the depth of the parsed
 * value for any JSON (strings full of brackets and escapes included), and runs at any depth.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nestingExceeds } from "../../src/lib/json-body";

/** The reference: the depth of a parsed value, by walking it. */
function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

describe("nestingExceeds", () => {
  it("agrees with the depth of the parsed value, whatever the strings hold", () => {
    const tricky = fc.string({ unit: fc.constantFrom("[", "]", "{", "}", '"', "\\", "a", "\n") });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: "small" }, tricky, fc.integer(), fc.constant(null), tie("array"), tie("object")),
      array: fc.array(tie("value"), { maxLength: 3 }),
      object: fc.dictionary(tricky, tie("value"), { maxKeys: 3 }),
    })).value;
    fc.assert(
      fc.property(json, fc.nat(8), fc.boolean(), (value, limit, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(nestingExceeds(text, limit)).toBe(depthOf(JSON.parse(text)) > limit);
      }),
      { numRuns: 2_000 },
    );
  });

  it("scans 100,000 and 1,000,000 levels without recursing", () => {
    for (const depth of [100_000, 1_000_000]) {
      expect(nestingExceeds("[".repeat(depth) + "]".repeat(depth), 32)).toBe(true);
      expect(nestingExceeds(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`, 32)).toBe(true);
    }
  });

  it("counts no bracket inside a string, escaped quotes included", () => {
    expect(nestingExceeds(JSON.stringify({ a: `\\"${"[".repeat(100)}` }), 1)).toBe(false);
    expect(nestingExceeds(JSON.stringify([[["\\"]]]), 3)).toBe(false);
    expect(nestingExceeds(JSON.stringify([[["\\"]]]), 2)).toBe(true);
  });
});
