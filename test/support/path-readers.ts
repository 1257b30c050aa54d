/**
 * Reference readers of a request path, for the differential path tests: the ways real servers
 * turn the path they receive into the route they run. Each is a combination of independent
 * habits, and every combination is tried (2^8 readers).
 */
import fc from "fast-check";

export interface Habits {
  /** Decodes escapes twice (IIS of old, some frameworks behind a decoding proxy). */
  decodesTwice: boolean;
  /** Reads IIS `%uXXXX` and overlong UTF-8 (`%c0%ae`) as the ASCII they spell. */
  lenientEscapes: boolean;
  /** Drops `;params` from every segment before decoding (Tomcat, Jetty). */
  dropsParameters: boolean;
  /** Reads `\` as `/` (IIS, some routers). */
  backslashIsSlash: boolean;
  /** Cuts the path at NUL (C servers). */
  cutsAtNul: boolean;
  /** Drops dots and spaces at the end of a segment (Windows). */
  dropsTrailingDots: boolean;
  /** Reads `name.format` as `name` in the last segment (Rails). */
  dropsFormat: boolean;
  /** Compares paths ignoring case (IIS, ASP.NET). */
  ignoresCase: boolean;
}

const HABITS: Array<keyof Habits> = [
  "decodesTwice",
  "lenientEscapes",
  "dropsParameters",
  "backslashIsSlash",
  "cutsAtNul",
  "dropsTrailingDots",
  "dropsFormat",
  "ignoresCase",
];

/** Every combination of habits. */
export const READERS: Habits[] = Array.from(
  { length: 2 ** HABITS.length },
  (_, bits) => Object.fromEntries(HABITS.map((habit, i) => [habit, Boolean(bits & (1 << i))])) as unknown as Habits,
);

const LENIENT: Array<[RegExp, string]> = [
  [/%c0%ae|%u002e/gi, "."],
  [/%c0%af|%u002f/gi, "/"],
  [/%c1%9c|%u005c/gi, "\\"],
];

function decodeOnce(text: string, habits: Habits): string {
  let out = text;
  if (habits.lenientEscapes) for (const [pattern, ascii] of LENIENT) out = out.replace(pattern, ascii);
  return out.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The route path a server with `habits` runs for the path it received. */
export function readPath(received: string, habits: Habits): string {
  let path = habits.dropsParameters
    ? received
        .split("/")
        .map((segment) => segment.split(";", 1)[0])
        .join("/")
    : received;
  path = decodeOnce(path, habits);
  if (habits.decodesTwice) path = decodeOnce(path, habits);
  if (habits.cutsAtNul) path = path.split("\u0000", 1)[0] ?? "";
  if (habits.backslashIsSlash) path = path.replace(/\\/g, "/");
  const trim = (segment: string) => (habits.dropsTrailingDots ? segment.replace(/[. ]+$/, "") : segment);
  const segments: string[] = [];
  for (const raw of path.split("/").map(trim)) {
    if (raw === "" || raw === ".") continue;
    if (raw === "..") segments.pop();
    else segments.push(raw);
  }
  const last = segments.length - 1;
  if (habits.dropsFormat && last >= 0 && segments[last]!.indexOf(".") > 0) segments[last] = trim(segments[last]!.slice(0, segments[last]!.indexOf(".")));
  const read = `/${segments.join("/")}`;
  return habits.ignoresCase ? read.toLowerCase() : read;
}

/** The readers that take `received` for `route` (`matches` decides, given their reading). */
export function readersOf(received: string, matches: (read: string) => boolean): Habits[] {
  return READERS.filter((habits) => matches(readPath(received, habits)));
}

/** Endings of a segment that servers read apart: dots, spaces, NUL, params, formats, escapes. */
export const pathEnding = fc.constantFrom(
  ".",
  "..",
  " ",
  "%20",
  "%00",
  "%09",
  ";x",
  ";",
  ".json",
  ".JSON",
  "%2ejson",
  "%2e",
  "%252e",
  "%c0%ae",
  "%u002e",
  "%3b",
  "%",
  "%20.json",
  "%2f",
  "%5c",
  "\\",
  "%255c",
);

/**
 * Paths from an alphabet around the routes under test: their segments in several cases, dot
 * segments plain and encoded, separators plain and encoded, and endings servers read apart.
 */
export function pathAround(segments: string[]): fc.Arbitrary<string> {
  const word = fc.constantFrom(...segments, ...segments.map((s) => s.toUpperCase()), ".", "..", "%2e%2e", ".%2E", "x");
  const ending = fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, { arbitrary: pathEnding, weight: 5 });
  const separator = fc.constantFrom("/", "/", "/", "//", "\\", "%2f", "%5c", "%2F", "%5C", "%252f", "/;x/", "/.;/", "/..;/");
  return fc
    .array(fc.tuple(separator, word, ending), { minLength: 1, maxLength: 5 })
    .chain((parts) => fc.constantFrom("", "/").map((tail) => `${parts.map(([sep, w, end]) => `${sep}${w}${end}`).join("")}${tail}`))
    .map((path) => (path.startsWith("/") ? path : `/${path}`));
}

/** Paths as ordinary clients send them: names, `%20` inside one, `.json`, case, `//`, a trailing `/`. */
export function ordinaryPath(): fc.Arbitrary<string> {
  const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}((%20|\.|~|%C3%A9)[A-Za-z0-9_-]{1,8})?$/);
  return fc
    .tuple(fc.array(fc.tuple(fc.constantFrom("/", "//"), name), { minLength: 1, maxLength: 5 }), fc.constantFrom("", "/", ";jsessionid=A1"))
    .map(([parts, end]) => parts.map(([sep, n]) => sep + n).join("") + end);
}
