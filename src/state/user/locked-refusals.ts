/**
 * @module
 * Answers refused because the user is locked out, counted in the user's own audit trail (and
 * so on the event stream and in the tenant's trail), without a call to the tenant's object on
 * the verification path. A refused answer costs the guesser nothing, so one entry each would
 * let them flood the trail: instead one `verify.refused` entry per minute counts them.
 *
 * An entry is counted into only while it is unpublished: once its batch is picked for the
 * stream its content is final (a message published again must say the same), and the next
 * refusal starts a new entry. Its alarm rings at the end of its minute, so a steady stream of
 * refusals still makes one entry a minute.
 */
import { iso } from "../../lib/iso-time";
import { REFUSAL_WINDOW_MS } from "../refusal-window";

/** The entry this minute's refusals are counted into, kept in the object's memory (lost on eviction: a second entry starts). */
export interface OpenTally {
  seq: number;
  windowStart: number;
}

/**
 * Counts one refusal into this minute's open entry, or records a new one with `record` (the
 * refused request's origin, the entry's detail; it returns the entry's sequence number). Returns the open entry and when its minute ends.
 * @example
 * this.tally = tallyLockedRefusal(sql, this.tally, Date.now(), (detail) => recordAudit(sql, now, "verify.refused", origin, detail)).open;
 */
export function tallyLockedRefusal(
  sql: SqlStorage,
  open: OpenTally | null,
  now: number,
  record: (detail: Record<string, unknown>) => number,
): { open: OpenTally; closesAt: number } {
  const windowStart = now - (now % REFUSAL_WINDOW_MS);
  const closesAt = windowStart + REFUSAL_WINDOW_MS;
  if (open?.windowStart === windowStart) {
    const counted = sql.exec(
      "UPDATE audit SET detail = json_set(detail, '$.count', json_extract(detail, '$.count') + 1, '$.lastAt', ?) WHERE seq = ? AND type = 'verify.refused'",
      iso(now),
      open.seq,
    ).rowsWritten;
    if (counted > 0) return { open, closesAt };
  }
  const seq = record({ reason: "locked", count: 1, lastAt: iso(now) });
  return { open: { seq, windowStart }, closesAt };
}
