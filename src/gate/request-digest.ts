/**
 * @module
 * What a request-bound grant approves: a digest of the exact request (method, path and query
 * as sent, and the body in canonical form); what the user is shown of it is
 * `displayed-fields.ts`. Canonical bodies let a client send the same request again with its JSON keys in
 * another order or its form fields re-encoded; any change of a value changes the digest.
 *
 * - JSON (`application/json`, `+json`): keys sorted at every level (RFC 8785 style). JSON that
 *   two parsers could read differently is refused for approval (`ambiguousJson`): duplicate
 *   keys, integers beyond 2^53, numbers beyond the double range.
 * - URL-encoded forms: the fields as sent (still encoded), sorted by name, values in order.
 * - Multipart: fields sorted by name; a file counts by name, type, size and SHA-256, so a new
 *   boundary does not change the digest.
 * - Anything else, or JSON that does not parse: the SHA-256 of the bytes as sent.
 * The method includes every method the request claims (`X-HTTP-Method-Override`, `?_method=`).
 */
import { exactAsDouble } from "../lib/exact-number";
import { sha256Hex } from "../lib/crypto";
import { ProblemError } from "../lib/problem";
import { decodeFormComponent, fieldKey } from "./field-names";
import { latin1, strictMultipartParts } from "./multipart-shape";
import { claimedMethods } from "./operation-match";

export type BodyKind = "json" | "form" | "multipart" | "raw";

export interface ReadBody {
  kind: BodyKind;
  /** The body as sent. */
  bytes: Uint8Array;
  /** Parsed, for JSON (`undefined` when the JSON is malformed: then the bytes count as sent). */
  json?: unknown;
  /** For JSON: the text it was parsed from. */
  text?: string;
  /** Parsed, for forms: `[name, value]` in order (a file's value is its description). */
  fields?: Array<[string, string]>;
  /** For a URL-encoded form: the `name=value` pairs as sent, still encoded. */
  rawPairs?: string[];
}

/** The kind of body a content type carries. */
export function bodyKindOf(contentType: string | null): BodyKind {
  const type = (contentType ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type)) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  if (type === "multipart/form-data") return "multipart";
  return "raw";
}

/**
 * Reads and parses a request body (the caller has already bounded its size).
 * @example
 * const body = await readBody(request.clone());
 */
export async function readBody(request: Request): Promise<ReadBody> {
  const contentType = request.headers.get("Content-Type");
  const kind = bodyKindOf(contentType);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (kind === "multipart") {
    let parts: FormData;
    try {
      parts = await new Response(bytes, { headers: { "Content-Type": contentType! } }).formData();
    } catch {
      // A body the platform's parser refuses is bound by its bytes, and never shown or approved as fields.
      return { kind, bytes };
    }
    const fields: Array<[string, string]> = [];
    for (const [name, value] of parts) fields.push([name, typeof value === "string" ? value : await describeFile(value)]);
    return { kind, bytes, fields: await withEmptyFiles(fields, bytes, contentType!) };
  }
  const text = new TextDecoder().decode(bytes);
  if (kind === "form") return { kind, bytes, fields: [...new URLSearchParams(text)], rawPairs: text.split("&").filter((pair) => pair !== "") };
  if (kind === "json") {
    try {
      return { kind, bytes, json: JSON.parse(text), text };
    } catch {
      // Malformed JSON is bound byte for byte; the origin will refuse it anyway.
      return { kind, bytes };
    }
  }
  return { kind, bytes };
}

/**
 * The digest a bound grant carries: hex SHA-256 over the method (and any it claims), path and
 * query as sent, and the canonical body (or the bytes' own SHA-256).
 * @example
 * await requestDigest(request, body) // "5f0c…"
 */
export async function requestDigest(request: Request, body: ReadBody): Promise<string> {
  const url = new URL(request.url);
  const methods = [request.method.toUpperCase(), ...claimedMethods(url, request.headers)].join(",");
  return sha256Hex(`${methods}\n${url.pathname}${url.search}\n${body.kind}\n${await canonicalBody(body)}`);
}

async function canonicalBody(body: ReadBody): Promise<string> {
  if (body.kind === "json" && body.json !== undefined) return canonicalJson(body.json);
  // Sorted by the widest reading of each name (`amoun%74` and `Amount` are `amount`), so that
  // reordering can never swap which of two spellings a first-wins or last-wins origin reads.
  if (body.rawPairs) return JSON.stringify(sortedByName(body.rawPairs.map((pair) => [nameKey(pair.split("=", 1)[0]!), pair])).map(([, pair]) => pair));
  if (body.fields) return JSON.stringify(sortedByName(body.fields));
  // Hashed as bytes, not turned into text: a large body costs its size once, not many times.
  return `sha256:${await sha256Hex(body.bytes)}`;
}

function nameKey(encoded: string): string {
  const decoded = decodeFormComponent(encoded);
  return decoded === null ? encoded : fieldKey(decoded);
}

/** Deeper JSON than this is refused for approval (and never recursed into). */
const MAX_JSON_DEPTH = 32;

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_JSON_DEPTH) throw new ProblemError(400, "ambiguous_request", `A request to approve nests at most ${MAX_JSON_DEPTH} levels deep.`);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, depth + 1)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Sorted by name; the values of one name keep their order (it can matter: `to=a&to=b`). */
function sortedByName<T extends [string, ...unknown[]]>(entries: T[]): T[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry[0] < b.entry[0] ? -1 : a.entry[0] > b.entry[0] ? 1 : a.index - b.index))
    .map((e) => e.entry);
}

/**
 * The digest a grant for this request must carry, after refusing what cannot be approved as
 * the user will see it: an encoded body (`Content-Encoding`), ambiguous JSON, and, when the
 * operation shows fields, a body that is neither JSON nor a form (sent as `text/plain`, say,
 * to leave the approval page blank while the origin still reads the JSON).
 * @example
 * const digest = await approvalDigest(request, await body.parsed(), operation.display);
 */
export async function approvalDigest(request: Request, body: ReadBody, display: readonly string[]): Promise<string> {
  if (request.headers.get("Content-Encoding")) {
    throw new ProblemError(415, "unsupported_media_type", "A request that needs approval is sent without Content-Encoding.");
  }
  if (body.kind === "json" && body.json !== undefined) {
    const ambiguity = ambiguousJson(body.text!, body.json);
    if (ambiguity) throw new ProblemError(400, "ambiguous_request", `This request cannot be approved as shown: ${ambiguity}.`);
  }
  const readable = (body.kind === "json" && body.json !== undefined) || body.fields !== undefined;
  if (display.length > 0 && body.bytes.byteLength > 0 && !readable) {
    throw new ProblemError(415, "unsupported_media_type", "Send this request as JSON or a form, so what it approves can be shown.");
  }
  return requestDigest(request, body);
}

/**
 * Why JSON cannot be approved as the user will see it, or `null`. The origin and stepgate must
 * read the same values: with a duplicate key one parser takes the first and another the last
 * (the page would show ALICE while the origin pays MALLORY), and an integer beyond 2^53 or a
 * number beyond the double range reads differently in exact and in floating-point parsers.
 * @example
 * ambiguousJson('{"to":"A","to":"B"}') // "duplicate key \"to\""
 */
export function ambiguousJson(text: string, parsed: unknown): string | null {
  const duplicate = duplicateKey(text);
  if (duplicate !== null) return `duplicate key ${JSON.stringify(duplicate)}`;
  const inexact = inexactNumber(text);
  if (inexact !== null) return `the number ${inexact.length > 40 ? `${inexact.slice(0, 40)}…` : inexact}, which a decimal reader and a double read differently`;
  const stack: unknown[] = [parsed];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "number" && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))) {
      return "a number beyond the range JSON parsers agree on (integers up to 2^53)";
    }
    if (typeof value === "object" && value !== null) stack.push(...Object.values(value));
  }
  return null;
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The first number token of `text` (valid JSON) whose exact decimal value a double does not
 * hold (`0.1000000000000000000001`, `4503599627370497.5`): stepgate (and JavaScript, Jackson's
 * defaults, Python's json) round it, an origin reading decimals (BigDecimal, Python's
 * `parse_float=Decimal`, PHP's JSON_BIGINT…) does not, so the amount shown would not be the one
 * acted on. `null` when there is none.
 */
function inexactNumber(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '"') {
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      NUMBER_TOKEN.lastIndex = i;
      const token = NUMBER_TOKEN.exec(text)![0];
      if (!exactAsDouble(token)) return token;
      i += token.length - 1;
    }
  }
  return null;
}

/** The first key that appears twice in one object of `text` (valid JSON), or `null`. */
function duplicateKey(text: string): string | null {
  const objects: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "{") objects.push(new Set());
    else if (char === "[") objects.push(null);
    else if (char === "}" || char === "]") objects.pop();
    else if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const token = text.slice(i, end + 1);
      let next = end + 1;
      while (/\s/.test(text[next] ?? "")) next++;
      const keys = objects.at(-1);
      if (keys && text[next] === ":") {
        const key = JSON.parse(token) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return null;
}

async function describeFile(file: File): Promise<string> {
  return `file:${file.name}:${file.type}:${file.size}:${await sha256Hex(await file.arrayBuffer())}`;
}

/**
 * `fields` with each part sent as an empty file (`filename=""`, no content: a browser's empty
 * file input) described as the file it is. The platform's parser reads such a part as the text
 * `""`, where the origin's parser (undici, PHP, …) reads an empty file: shown as `""`, the page
 * would tell the user of a text field the origin never sees. A body whose parts the strict
 * reading does not name alike is left as it is: the ambiguity check refuses it.
 */
async function withEmptyFiles(fields: Array<[string, string]>, bytes: Uint8Array, contentType: string): Promise<Array<[string, string]>> {
  if (!fields.some(([, value]) => value === "")) return fields;
  const parts = strictMultipartParts(latin1(bytes), contentType);
  if (typeof parts === "string" || parts.length !== fields.length) return fields;
  return Promise.all(
    fields.map(async ([name, value], i): Promise<[string, string]> => {
      const part = parts[i]!;
      const emptyFile = value === "" && part.name === name && part.filename === "";
      return [name, emptyFile ? await describeFile(new File([], "", { type: part.type ?? "" })) : value];
    }),
  );
}
