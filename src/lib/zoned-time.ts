/**
 * @module
 * Named time zones: whether the runtime knows one, and a wall-clock time in one as the instant
 * it is (what a `datetime-local` field holds, "2026-11-02T14:00", read in the zone the page says
 * it uses).
 */

/** `datetime-local`'s value: a date and a time of day to the minute or the second, no zone. */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant `local` names in `timeZone` (an IANA name), or `null` when `local` is no real date
 * and time. A time the clocks skip (a spring-forward gap) is read with the offset before the
 * change; a time they pass twice (falling back), as its second.
 * @example
 * zonedInstant("2026-11-02T14:00", "Europe/Berlin")?.toISOString() // "2026-11-02T13:00:00.000Z"
 */
export function zonedInstant(local: string, timeZone: string): Date | null {
  const match = LOCAL_TIME.exec(local);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(wall);
  // Date.UTC rolls "02-30" over to March; a real date reads back the same.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return null;
  // The zone's offset at a first guess, then at the instant that guess gives: they differ only
  // near a change of offset, where the second is the one in force.
  const guess = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(guess, timeZone));
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return wall - (instant - (instant % 1000));
}

/**
 * Whether `zone` is a time zone this runtime knows (Cloudflare's guess is used only then).
 * @example
 * knownTimeZone("Asia/Tokyo") // true
 */
export function knownTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || zone === "") return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    // RangeError: not a zone Intl knows.
    return false;
  }
}
