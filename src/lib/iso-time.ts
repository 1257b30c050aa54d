/**
 * @module
 * Times as the APIs show them: stepgate keeps epoch milliseconds, its JSON says ISO 8601.
 */

/** @example iso(0) // "1970-01-01T00:00:00.000Z" */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
