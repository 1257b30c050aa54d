/**
 * @module
 * A memo of at most a given number of values, the one made longest ago forgotten first: for an
 * isolate's caches whose keys come from requests, so that no sequence of requests grows the
 * isolate's memory without end.
 */

export interface BoundedMemo<K, V> {
  /** The value kept for `key`, else `make()`'s, kept. */
  get(key: K, make: () => V): V;
  /** Values kept now. */
  readonly size: number;
}

/**
 * A memo of at most `max` values.
 * @example
 * const formats = boundedMemo<string, Intl.NumberFormat>(1_000);
 * formats.get("de|EUR|2", () => new Intl.NumberFormat("de", { style: "currency", currency: "EUR" }));
 */
export function boundedMemo<K, V extends NonNullable<unknown>>(max: number): BoundedMemo<K, V> {
  const kept = new Map<K, V>();
  return {
    get(key, make) {
      // One lookup on a hit (some memos are read for every header of every request): no value is undefined.
      const known = kept.get(key);
      if (known !== undefined) return known;
      const value = make();
      if (kept.size >= max) kept.delete(kept.keys().next().value!);
      kept.set(key, value);
      return value;
    },
    get size() {
      return kept.size;
    },
  };
}
