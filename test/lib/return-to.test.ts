import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameHostPath } from "../../src/lib/return-to";

describe("return_to only ever points at the same host", () => {
  it.each([
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%0a/evil.example",
    "evil.example",
    "",
    " //evil.example",
    "/.//evil.example",
    "/%2e//evil.example",
    "/a/..//evil.example",
    "/a/%2E%2E//evil.example/x",
  ])("refuses %j", (payload) => {
    const path = sameHostPath(payload);
    expect(path.startsWith("/")).toBe(true);
    expect(path.startsWith("//")).toBe(false);
    expect(new URL(path, "https://portal.example").host).toBe("portal.example");
  });

  it.each(["/", "/wallet", "/wallet?tab=2#top", "/a/b/../c"])("keeps the same-host path %j", (path) => {
    expect(sameHostPath(path)).toBe(
      new URL(path, "https://x.invalid").pathname + new URL(path, "https://x.invalid").search + new URL(path, "https://x.invalid").hash,
    );
  });
});

/** The pieces open-redirect payloads are made of; `/` and `.` (dot segments) most often. */
const PIECES = ["\\", "%2f", "%2e", "%5c", "\t", "\n", "evil.example", ":", "@", "?", "#", "a"];
const aPiece = fc.oneof({ arbitrary: fc.constantFrom("/", "."), weight: 2 }, { arbitrary: fc.constantFrom(...PIECES), weight: 1 });
const pieces = fc.array(aPiece, { maxLength: 12 }).map((parts) => parts.join(""));
// Most start with one `/`, the only shape that gets past the first check.
const aPayload = fc.oneof(
  pieces,
  pieces.map((rest) => `/${rest}`),
);

describe("sameHostPath is a fixed point and never leaves the host (property)", () => {
  it("gives the same path when applied to its own answer", () => {
    fc.assert(
      fc.property(aPayload, (payload) => {
        const once = sameHostPath(payload);
        expect(sameHostPath(once)).toBe(once);
      }),
      { numRuns: 10_000 },
    );
  });

  it("answers a path every URL reader resolves on the portal's own host", () => {
    fc.assert(
      fc.property(aPayload, (payload) => {
        const path = sameHostPath(payload);
        expect(path.startsWith("/")).toBe(true);
        expect(path.startsWith("//")).toBe(false);
        expect(path).not.toMatch(/[\\\u0000-\u001f\u007f]/);
        expect(new URL(path, "https://portal.example").host).toBe("portal.example");
        // Read again relative to a deeper page, as a browser following `Location` would.
        expect(new URL(path, "https://portal.example/deep/page?x=1").host).toBe("portal.example");
      }),
      { numRuns: 10_000 },
    );
  });
});
