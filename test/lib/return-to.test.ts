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
  ])("refuses %j", (payload) => {
    const path = sameHostPath(payload);
    expect(path.startsWith("/")).toBe(true);
    expect(path.startsWith("//")).toBe(false);
    expect(new URL(path, "https://portal.example").host).toBe("portal.example");
  });

  it.each(["/", "/wallet", "/wallet?tab=2#top", "/a/b/../c"])("keeps the same-host path %j", (path) => {
    expect(sameHostPath(path)).toBe(new URL(path, "https://x.invalid").pathname + new URL(path, "https://x.invalid").search + new URL(path, "https://x.invalid").hash);
  });
});
