/**
 * Just enough of source maps (v3) to name a minified bundle's position by its source file and
 * line, for bench/profile.ts's report.
 */
import { readFileSync } from "node:fs";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes one mapping segment's base64 VLQ fields. */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

/**
 * `(line, column)` of the bundle (both from 0, as the DevTools protocol gives them) → "src/gate/proxy.ts:155".
 * @example
 * const where = sourcePositions("bench/.build/stepgate/index.js.map"); where(0, 1234)
 */
export function sourcePositions(mapPath: string): (line: number, column: number) => string | null {
  const map = JSON.parse(readFileSync(mapPath, "utf8")) as { sources: string[]; mappings: string };
  // Per generated line: [column, source, original line] sorted by column.
  const lines: Array<Array<[number, number, number]>> = [];
  let source = 0;
  let originalLine = 0;
  for (const text of map.mappings.split(";")) {
    const segments: Array<[number, number, number]> = [];
    let column = 0;
    for (const segment of text.split(",")) {
      if (!segment) continue;
      const [dColumn = 0, dSource, dLine] = decodeSegment(segment);
      column += dColumn;
      if (dSource === undefined || dLine === undefined) continue;
      source += dSource;
      originalLine += dLine;
      // The original column and the name (fields 4 and 5) are not read.
      segments.push([column, source, originalLine]);
    }
    lines.push(segments);
  }
  const name = (path: string) => path.replace(/^.*node_modules\//, "").replace(/^(\.\.\/)+/, "");
  return (line, column) => {
    const segments = lines[line];
    if (!segments || segments.length === 0) return null;
    let found: [number, number, number] | null = null;
    for (const segment of segments) {
      if (segment[0] > column) break;
      found = segment;
    }
    return found ? `${name(map.sources[found[1]]!)}:${found[2] + 1}` : null;
  };
}
