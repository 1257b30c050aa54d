import { describe, expect, it } from "vitest";
import { lookalikeKey } from "../../src/lib/lookalike-name";

describe("lookalikeKey", () => {
  it("reads a name as its letters and digits, lower-cased, decoded until nothing is left to decode", () => {
    expect(lookalikeKey("Portal%255Fsession")).toBe("portalsession");
    expect(lookalikeKey("portal.session")).toBe("portalsession");
    expect(lookalikeKey("X_Original_URL")).toBe("xoriginalurl");
    expect(lookalikeKey("%58-Forwarded-For")).toBe("xforwardedfor");
    expect(lookalikeKey("%zz-a")).toBe("zza");
  });

  it("reads a name the same every time, however many other names came between", () => {
    const first = ["Cookie", "X%2DReal%2DIP", "cf_connecting_ip"].map(lookalikeKey);
    // More names than the isolate remembers: the memory starts again, the readings stay.
    for (let i = 0; i < 3000; i++) expect(lookalikeKey(`X-Name-${i}%5F`)).toBe(`xname${i}`);
    expect(["Cookie", "X%2DReal%2DIP", "cf_connecting_ip"].map(lookalikeKey)).toEqual(first);
    expect(first).toEqual(["cookie", "xrealip", "cfconnectingip"]);
  });

  it("reads a long name (not remembered) as it reads a short one", () => {
    const long = `X-${"a%5F".repeat(40)}Forwarded-For`;
    expect(lookalikeKey(long)).toBe(`x${"a".repeat(40)}forwardedfor`);
    expect(lookalikeKey(long)).toBe(lookalikeKey(long.toLowerCase()));
  });
});
