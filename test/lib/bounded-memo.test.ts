/** An isolate's memo whose keys come from requests keeps at most its bound. */
import { describe, expect, it } from "vitest";
import { boundedMemo } from "../../src/lib/bounded-memo";

describe("boundedMemo", () => {
  it("makes a value once and gives it back while it is kept", () => {
    const memo = boundedMemo<string, object>(3);
    let made = 0;
    const first = memo.get("a", () => ({ n: ++made }));
    expect(memo.get("a", () => ({ n: ++made }))).toBe(first);
    expect(made).toBe(1);
  });

  it("keeps no more than its bound, forgetting the value made longest ago", () => {
    const memo = boundedMemo<number, string>(3);
    for (let i = 0; i < 10; i++) memo.get(i, () => `v${i}`);
    expect(memo.size).toBe(3);
    // 7, 8 and 9 are kept; 0 is made again (and 7, the oldest, goes).
    expect(memo.get(9, () => "again")).toBe("v9");
    expect(memo.get(0, () => "again")).toBe("again");
    expect(memo.get(7, () => "again")).toBe("again");
    expect(memo.size).toBe(3);
  });
});
