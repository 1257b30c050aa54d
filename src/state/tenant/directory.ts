/**
 * @module
 * The tenant's user directory in its Durable Object: one row per user stepgate has seen, kept
 * up to date by each user's object when their enrolment status changes or their last visit is
 * a quarter hour old (never per request or per verification), queried with filters, prefix
 * search, sorting and keyset pagination, and counted by status.
 *
 * Keyset (not offset) pagination: a page is `WHERE (sort, user_id) > (last seen)` on an index,
 * so page 2,000 costs what page 1 does, and rows added meanwhile are neither skipped nor shown
 * twice.
 */
import type { DirectoryRow } from "../events";
import type { DirectoryCounts, DirectoryEntry, DirectoryQuery } from "./views";
import { encodeDirectoryCursor } from "../../lib/directory-cursor";
import { iso } from "../../lib/iso-time";

type Stored = {
  user_id: string;
  email: string;
  factors: string;
  pending_until: number;
  required: number | null;
  locked_until: number;
  enrolled_at: number;
  first_seen_at: number;
  last_seen_at: number;
  updated_at: number;
};

/**
 * `lockedUntil` of a user locked until an admin unlocks: later than any time, so the `locked`
 * filter (`locked_until > now`) finds them with the others, and no column is added for them.
 */
export const LOCKED_UNTIL_UNLOCK = Number.MAX_SAFE_INTEGER;

/** The highest code point: `prefix + TOP` bounds every string that starts with `prefix`. */
const TOP = "\u{10FFFF}";

/**
 * Enrolled, in SQL (its `?` is the re-enrolment epoch): has factors, first enrolled since the
 * epoch (older factors no longer count). `countDirectory` counts by the same rule on an index.
 */
const ENROLLED = "(factors <> '' AND enrolled_at >= ?)";

/** Stores `row` unless a newer version of it is there already; returns the version now stored. */
export function upsertDirectoryRow(sql: SqlStorage, row: DirectoryRow, now: number): number {
  sql.exec(
    `INSERT INTO directory (user_id, email, factors, pending_until, required, locked_until, enrolled_at, first_seen_at, last_seen_at, updated_at, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, factors = excluded.factors, pending_until = excluded.pending_until,
       required = excluded.required, locked_until = excluded.locked_until, enrolled_at = excluded.enrolled_at,
       last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at, version = excluded.version
     WHERE excluded.version > directory.version`,
    row.userId,
    (row.email ?? "").toLowerCase(),
    [...row.factors].sort().join(","),
    row.pendingUntil,
    row.required === null ? null : Number(row.required),
    row.lockedUntil,
    row.enrolledAt ?? 0,
    row.firstSeenAt,
    row.lastSeenAt ?? 0,
    now,
    row.version,
  );
  return sql.exec<{ version: number }>("SELECT version FROM directory WHERE user_id = ?", row.userId).one().version;
}

/** One user's entry, or `null` when stepgate has never seen them. */
export function directoryEntry(sql: SqlStorage, userId: string, now: number): DirectoryEntry | null {
  const row = sql.exec<Stored>("SELECT * FROM directory WHERE user_id = ?", userId).toArray()[0];
  return row ? entryOf(row, now) : null;
}

/**
 * A page of the directory and the cursor of the next one (`null` on the last page).
 * @example
 * queryDirectory(sql, { status: "enrolled", sort: { column: "email", descending: false }, limit: 50 }, Date.now())
 */
export function queryDirectory(sql: SqlStorage, query: DirectoryQuery, now: number, epoch = 0): { entries: DirectoryEntry[]; nextCursor: string | null } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  /** One more condition and its values. */
  const and = (clause: string, ...values: Array<string | number>) => {
    where.push(clause);
    args.push(...values);
  };
  if (query.status === "enrolled") and(ENROLLED, epoch);
  if (query.status === "pending") and(`NOT ${ENROLLED} AND pending_until > ?`, epoch, now);
  if (query.status === "not_enrolled") and(`NOT ${ENROLLED} AND pending_until <= ?`, epoch, now);
  if (query.status === "locked") and("locked_until > ?", now);
  if (query.status === "locked_until_unlock") and("locked_until = ?", LOCKED_UNTIL_UNLOCK);
  if (query.factor) and("instr(',' || factors || ',', ?) > 0 AND enrolled_at >= ?", `,${query.factor},`, epoch);
  if (query.required !== undefined) and("required = ?", Number(query.required));
  if (query.q) {
    const email = query.q.toLowerCase();
    where.push("((user_id >= ? AND user_id < ?) OR (email >= ? AND email < ?))");
    args.push(query.q, query.q + TOP, email, email + TOP);
  }
  const { column, descending } = query.sort;
  if (query.after) {
    where.push(`(${column}, user_id) ${descending ? "<" : ">"} (?, ?)`);
    args.push(query.after.value, query.after.userId);
  }
  const order = descending ? "DESC" : "ASC";
  const rows = sql
    .exec<Stored>(
      `SELECT * FROM directory ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${column} ${order}, user_id ${order} LIMIT ?`,
      ...args,
      query.limit + 1,
    )
    .toArray();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeDirectoryCursor(column, descending, { value: last[column], userId: last.user_id }) : null;
  return { entries: page.map((row) => entryOf(row, now, epoch)), nextCursor };
}

/**
 * How many users the directory holds, and how many of them are enrolled, pending and not
 * enrolled, as the `status` filter of {@link queryDirectory} finds them.
 *
 * Counted on indexes, not by reading every row (at 100,000 users a scan costs the console's
 * users page its 50 ms): a row has factors exactly when it has an `enrolled_at` (both come from
 * the user's active factors), so "has factors, enrolled since the epoch" is the index range
 * `enrolled_at >= max(epoch, 1)`, and a pending enrolment is the short range `pending_until > now`.
 * @example
 * countDirectory(sql, Date.now(), policy.enrollmentEpoch ?? 0) // { total: 3, enrolled: 1, pending: 0, notEnrolled: 2 }
 */
export function countDirectory(sql: SqlStorage, now: number, epoch = 0): DirectoryCounts {
  const since = Math.max(epoch, 1);
  const { total, enrolled, pending } = sql
    .exec<{ total: number; enrolled: number; pending: number }>(
      `SELECT (SELECT count(*) FROM directory) AS total,
         (SELECT count(*) FROM directory WHERE enrolled_at >= ?) AS enrolled,
         (SELECT count(*) FROM directory WHERE pending_until > ? AND enrolled_at < ?) AS pending`,
      since,
      now,
      since,
    )
    .one();
  return { total, enrolled, pending, notEnrolled: total - enrolled - pending };
}

function entryOf(row: Stored, now: number, epoch = 0): DirectoryEntry {
  const factors = row.factors === "" || row.enrolled_at < epoch ? [] : (row.factors.split(",") as DirectoryEntry["factors"]);
  return {
    userId: row.user_id,
    email: row.email === "" ? null : row.email,
    status: factors.length > 0 ? "enrolled" : row.pending_until > now ? "pending" : "not_enrolled",
    factors,
    locked: row.locked_until > now,
    lockedUntil: row.locked_until > now && row.locked_until !== LOCKED_UNTIL_UNLOCK ? iso(row.locked_until) : null,
    lockedUntilUnlock: row.locked_until === LOCKED_UNTIL_UNLOCK,
    requiredByAdmin: row.required === null ? null : row.required === 1,
    enrolledAt: factors.length > 0 ? iso(row.enrolled_at) : null,
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: row.last_seen_at > 0 ? iso(row.last_seen_at) : null,
    updatedAt: iso(row.updated_at),
  };
}
