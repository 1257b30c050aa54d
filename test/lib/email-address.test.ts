import { describe, expect, it } from "vitest";
import { isEmailAddress } from "../../src/lib/email-address";

describe("isEmailAddress", () => {
  it("takes one plain address", () => {
    expect(isEmailAddress("ann@acme.test")).toBe(true);
  });

  it("refuses a display name, a second address or a line break", () => {
    for (const value of ["Ann <ann@acme.test>", "owner@home.test, eve@evil.test", "ann@acme.test>\r\nRCPT TO:<eve@evil.test", `${"a".repeat(65)}@acme.test`]) {
      expect({ value, taken: isEmailAddress(value) }).toEqual({ value, taken: false });
    }
  });

  it("refuses a claim that is not a string, whatever it would print as", () => {
    for (const value of [undefined, null, 42, true, ["ann@acme.test"], { toString: () => "ann@acme.test" }, new String("ann@acme.test")]) {
      expect(isEmailAddress(value)).toBe(false);
    }
  });
});
