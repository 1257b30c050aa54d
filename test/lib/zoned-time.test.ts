import { describe, expect, it } from "vitest";
import { zonedInstant } from "../../src/lib/zoned-time";

describe("a datetime-local value read in a time zone", () => {
  it.each([
    ["2026-11-02T14:00", "Europe/Berlin", "2026-11-02T13:00:00.000Z"],
    ["2026-07-01T14:00:30", "Europe/Berlin", "2026-07-01T12:00:30.000Z"],
    ["2026-01-01T10:00", "Asia/Kolkata", "2026-01-01T04:30:00.000Z"],
    ["2026-07-01T00:00", "America/New_York", "2026-07-01T04:00:00.000Z"],
    ["2026-07-01T00:00", "UTC", "2026-07-01T00:00:00.000Z"],
    // A time the clocks skip reads with the offset before the change; one they pass twice, as its second.
    ["2026-03-29T02:30", "Europe/Berlin", "2026-03-29T01:30:00.000Z"],
    ["2026-10-25T02:30", "Europe/Berlin", "2026-10-25T01:30:00.000Z"],
  ])("reads %s in %s as %s", (local, zone, instant) => {
    expect(zonedInstant(local, zone)?.toISOString()).toBe(instant);
  });

  it.each(["2026-02-30T10:00", "2026-07-01T24:00", "2026-07-01T10:60", "2026-07-01", "yesterday", "2026-07-01T10:00Z", "26-07-01T10:00"])(
    "refuses %s",
    (local) => {
      expect(zonedInstant(local, "UTC")).toBeNull();
    },
  );
});
