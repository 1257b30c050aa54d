/**
 * @module
 * The user directory's page cursors: the sort, and the last row's sort value and user id,
 * base64url JSON. A cursor names its sort, so one from another sort is refused, not misread.
 * The sortable columns are listed here, below both the directory table that writes cursors and
 * the admin query schema that reads them.
 */
import { base64url, fromBase64url } from "./encoding";

export const DIRECTORY_SORT_COLUMNS = ["user_id", "email", "updated_at", "enrolled_at", "first_seen_at", "last_seen_at"] as const;
export type DirectorySortColumn = (typeof DIRECTORY_SORT_COLUMNS)[number];

export interface DirectoryCursor {
  value: string | number;
  userId: string;
}

const NUMERIC: ReadonlySet<DirectorySortColumn> = new Set(["updated_at", "enrolled_at", "first_seen_at", "last_seen_at"]);

export function encodeDirectoryCursor(column: DirectorySortColumn, descending: boolean, after: DirectoryCursor): string {
  return base64url(new TextEncoder().encode(JSON.stringify([column, descending, after.value, after.userId])));
}

/** The position a cursor continues from, or `null` when it is not one of this sort's. */
export function decodeDirectoryCursor(cursor: string, column: DirectorySortColumn, descending: boolean): DirectoryCursor | null {
  try {
    const [c, d, value, userId] = JSON.parse(new TextDecoder().decode(fromBase64url(cursor))) as unknown[];
    const valueOk = NUMERIC.has(column) ? typeof value === "number" : typeof value === "string";
    return c === column && d === descending && valueOk && typeof userId === "string" ? { value: value as string | number, userId } : null;
  } catch {
    // Not base64url JSON: not a cursor of ours.
    return null;
  }
}
