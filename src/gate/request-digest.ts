/**
 * @module
 * What a request-bound grant approves: a digest of the exact request (method, path and query
 * as sent, and the body in canonical form), and the fields shown to the user while they
 * approve it. Canonical bodies let a client send the same request again with its JSON keys in
 * another order or its form fields re-encoded; any change of a value changes the digest.
 *
 * - JSON (`application/json`, `+json`): keys sorted at every level (RFC 8785 style).
 * - Forms (`application/x-www-form-urlencoded`, `multipart/form-data`): fields sorted by
 *   name, values in their order; a file counts by name, type, size and SHA-256, so a new
 *   multipart boundary does not change the digest.
 * - Anything else: the bytes as sent.
 */
import { sha256Hex } from "../lib/crypto";

export type BodyKind = "json" | "form" | "multipart" | "raw";

export interface ReadBody {
  kind: BodyKind;
  /** The body as sent. */
  bytes: Uint8Array;
  /** Parsed, for JSON (`undefined` when the JSON is malformed: then the bytes count as sent). */
  json?: unknown;
  /** Parsed, for forms: `[name, value]` in order (a file's value is its description). */
  fields?: Array<[string, string]>;
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
  const kind = bodyKindOf(request.headers.get("Content-Type"));
  if (kind === "multipart") {
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    const fields: Array<[string, string]> = [];
    for (const [name, value] of await request.formData()) {
      fields.push([name, typeof value === "string" ? value : await describeFile(value)]);
    }
    return { kind, bytes, fields };
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  if (kind === "form") return { kind, bytes, fields: [...new URLSearchParams(text)] };
  if (kind === "json") {
    try {
      return { kind, bytes, json: JSON.parse(text) };
    } catch {
      // Malformed JSON is bound byte for byte; the origin will refuse it anyway.
      return { kind, bytes };
    }
  }
  return { kind, bytes };
}

/**
 * The digest a bound grant carries: hex SHA-256 over method, path and query as sent, and the
 * canonical body.
 * @example
 * await requestDigest("POST", "/api/withdraw", "", body) // "5f0c…"
 */
export async function requestDigest(method: string, pathAndQuery: string, body: ReadBody): Promise<string> {
  return sha256Hex(`${method.toUpperCase()}\n${pathAndQuery}\n${body.kind}\n${canonicalBody(body)}`);
}

function canonicalBody(body: ReadBody): string {
  if (body.kind === "json" && body.json !== undefined) return canonicalJson(body.json);
  if (body.fields) return JSON.stringify(sortedFields(body.fields));
  return [...body.bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Sorted by name; the values of one name keep their order (it can matter: `to=a&to=b`). */
function sortedFields(fields: Array<[string, string]>): Array<[string, string]> {
  return fields.map((field, index) => ({ field, index })).sort((a, b) => (a.field[0] < b.field[0] ? -1 : a.field[0] > b.field[0] ? 1 : a.index - b.index)).map((e) => e.field);
}

async function describeFile(file: File): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `file:${file.name}:${file.type}:${file.size}:${hex}`;
}

/**
 * Control characters, line separators and bidirectional overrides: a payee name could
 * otherwise break the SMS text into lines or display `0001` as `1000` (U+202E).
 */
// eslint-disable-next-line no-control-regex
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Longest value shown for one field; longer ones are cut with an ellipsis. */
const SHOWN_VALUE_CHARS = 120;

/**
 * The fields the policy's `display` names, as the user will see them: a name is a form field
 * or top-level JSON key; a name starting with `/` is a JSON pointer (RFC 6901). Missing fields
 * are left out; values are text, control characters removed, cut to a readable length. The
 * pages escape them like any other text.
 * @example
 * displayedFields(body, ["/amount", "currency", "/destination/iban"])
 * // [{ field: "amount", value: "10" }, …]
 */
export function displayedFields(body: ReadBody, display: readonly string[]): Array<{ field: string; value: string }> {
  const shown: Array<{ field: string; value: string }> = [];
  for (const name of display) {
    const value = body.kind === "json" ? pointerValue(body.json, name) : body.fields?.filter(([n]) => n === name).map(([, v]) => v).join(", ");
    if (value === undefined || value === null || value === "") continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const clean = text.replace(UNSHOWABLE, " ").replace(/\s+/g, " ").trim();
    const field = name.replace(/^\//, "").replace(/\//g, ".");
    // `amount` and `/amount` name the same JSON field (a policy may list both, for forms and JSON).
    if (shown.some((f) => f.field === field)) continue;
    shown.push({ field, value: clean.length > SHOWN_VALUE_CHARS ? `${clean.slice(0, SHOWN_VALUE_CHARS)}…` : clean });
  }
  return shown;
}

function pointerValue(json: unknown, name: string): unknown {
  const path = name.startsWith("/") ? name.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")) : [name];
  let current: unknown = json;
  for (const part of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
