/** Filling in catalogue messages: placeholders, plural forms by Intl, numbers, tenant wordings. */
import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  formatDuration,
  formatList,
  formatMessage,
  formatPercent,
  messageParts,
  overridden,
  placeholdersOf,
} from "../../src/lib/message-format";

const attempts = { one: "{count} attempt left", other: "{count} attempts left" };

describe("formatMessage", () => {
  it("fills placeholders and leaves one without a value as written", () => {
    expect(formatMessage("{code} is your {tenant} code", "en", { code: "123456" })).toBe("123456 is your {tenant} code");
  });

  it("chooses the plural form the language's rules name", () => {
    expect(formatMessage(attempts, "en", { count: 1 })).toBe("1 attempt left");
    expect(formatMessage(attempts, "en", { count: 4 })).toBe("4 attempts left");
    const polish = { one: "{count} próba", few: "{count} próby", many: "{count} prób", other: "{count} próby" };
    expect([1, 3, 5, 22].map((count) => formatMessage(polish, "pl", { count }))).toEqual(["1 próba", "3 próby", "5 prób", "22 próby"]);
  });

  it("writes numbers as the language does, and a value given as text as it is", () => {
    expect(formatMessage("{n} / {code}", "de", { n: 1234, code: "0012" })).toBe("1.234 / 0012");
  });

  it("writes a length of time with its unit in the language, plural and all", () => {
    expect(formatDuration(5, "minute", "en")).toBe("5 minutes");
    expect(formatDuration(5, "minute", "en", "short")).toBe("5 min");
    expect(formatDuration(5, "minute", "pl")).toBe("5 minut");
  });
});

describe("shares, lists and times", () => {
  it("writes each as the language does, in the time zone asked for", () => {
    // ICU's spaces (narrow, no-break) vary by version; the words and digits do not.
    const spaced = (text: string) => text.replace(/\s/gu, " ");
    expect([formatPercent(0.25, "en"), spaced(formatPercent(1 / 3, "de"))]).toEqual(["25%", "33,3 %"]);
    expect([formatList(["A", "B", "C"], "en"), formatList(["A", "B"], "de")]).toEqual(["A, B, C", "A und B"]);
    expect(spaced(formatDateTime("2026-11-02T14:00:00Z", "en", "UTC"))).toBe("Nov 2, 2026, 2:00 PM");
    expect(spaced(formatDateTime("2026-11-02T14:00:00Z", "en", "Asia/Tokyo"))).toBe("Nov 2, 2026, 11:00 PM");
  });
});

describe("messageParts", () => {
  it("puts markup where the placeholders are", () => {
    const link = { tag: "a" };
    expect(messageParts("On this phone? {link}.", "en", { link })).toEqual(["On this phone? ", link, "."]);
    expect(messageParts("{link} {n}", "en", { link }, { n: 2 })).toEqual([link, " ", "2"]);
  });
});

describe("a tenant's wording", () => {
  it("is used only with the same placeholders", () => {
    expect(placeholdersOf(attempts)).toEqual(["count"]);
    expect(overridden("Confirm {operation}", "Approve {operation}")).toBe("Approve {operation}");
    expect(overridden("Confirm {operation}", "Approve")).toBe("Confirm {operation}");
    expect(overridden("Confirm {operation}", undefined)).toBe("Confirm {operation}");
  });
});
