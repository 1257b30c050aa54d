/**
 * @module
 * Requests an origin could read differently from stepgate, refused before they are approved.
 * What the user approves (the fields shown, the digest the grant is bound to) is stepgate's
 * reading of the request; the origin acts on its own. Frameworks differ: many parse JSON
 * whatever the declared type, PHP turns `.`, space and `[` in a field name into `_`, ASP.NET
 * and Go match names regardless of case, some take the first of two values and others the
 * last, Rails and PHP merge the query into the body's fields. So where two such readings of a
 * request could differ, stepgate does not guess which one the origin uses: it refuses the
 * request with a 400 `ambiguous_request` problem naming the ambiguity.
 *
 * The rules: the body parses cleanly as exactly the type it declares (UTF-8, no byte-order
 * mark, no other charset, one well-formed `Content-Type`); a form is not JSON text and has no
 * malformed escapes; no field is sent under two spellings of one name; a field shown to the
 * user appears once, under exactly the name shown, and not in the query as well; multipart
 * parts are not transfer-encoded.
 */
import { ProblemError } from "../lib/problem";
import { couldBeField, decodeFormComponent, fieldKey, fold } from "./field-names";
import { latin1, strictMultipartParts } from "./multipart-shape";
import { displayedPath } from "./displayed-fields";
import { ambiguousJson, type ReadBody } from "./request-digest";

/** `type/subtype` and `; name=value` parameters, nothing else (RFC 9110 §8.3). */
const TOKEN = "[\\w!#$%&'*+.^`|~-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*\\s*$`);
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Refuses (throws a 400 `ambiguous_request` problem) a request whose body or displayed fields
 * an origin could read otherwise than stepgate will show and bind them.
 * @example
 * refuseAmbiguity(request, await body.parsed(), operation.display);
 */
export function refuseAmbiguity(request: Request, body: ReadBody, display: readonly string[]): void {
  const ambiguity = ambiguityOf(request, body, display);
  if (ambiguity) throw new ProblemError(400, "ambiguous_request", `This request cannot be approved as shown: ${ambiguity}.`, { ambiguity });
}

/**
 * Why the origin could read this request otherwise than stepgate shows it, or `null`.
 * @example
 * ambiguityOf(formRequest('{"amount":1}'), body, []) // "a form body that is JSON text"
 */
export function ambiguityOf(request: Request, body: ReadBody, display: readonly string[]): string | null {
  return bodyAmbiguity(request, body, display) ?? queryAmbiguity(new URL(request.url), display);
}

function bodyAmbiguity(request: Request, body: ReadBody, display: readonly string[]): string | null {
  if (body.bytes.byteLength === 0) return null;
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!MEDIA_TYPE.test(contentType)) return "a Content-Type that is not exactly one media type";
  if (UTF8_BOM.every((byte, i) => body.bytes[i] === byte)) return "a body that starts with a byte-order mark";
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8") return `a body in charset ${charset} (send UTF-8)`;
  if (body.kind === "raw" || body.kind === "multipart") {
    return body.kind === "multipart" ? multipartAmbiguity(body, contentType, display) : null;
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(body.bytes);
  } catch {
    return "a body that is not valid UTF-8";
  }
  if (body.kind === "json") {
    if (body.json === undefined) return "a body declared as JSON that is not valid JSON";
    return ambiguousJson(text, body.json) ?? jsonAmbiguity(body.json, display);
  }
  if (looksLikeJson(text)) return "a form body that is JSON text (some origins read JSON whatever the declared type)";
  const pairs = formPairs(text);
  if (typeof pairs === "string") return pairs;
  return fieldsAmbiguity(pairs, display);
}

/** JSON readers that ignore the declared type take anything that starts like JSON. */
function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  if (start === "{" || start === "[" || start === '"') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface Field {
  /** The name as the sender spelled it, after percent-decoding. */
  name: string;
  value: string;
}

/** A URL-encoded form's fields, decoded strictly: a malformed escape is an ambiguity of its own. */
function formPairs(text: string): Field[] | string {
  const fields: Field[] = [];
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = decodeFormComponent(equals === -1 ? "" : pair.slice(equals + 1));
    if (name === null || value === null) return "a form field with a malformed percent-escape";
    fields.push({ name, value });
  }
  return fields;
}

/**
 * Form or multipart fields: no name sent under two spellings; a displayed field present once,
 * under exactly its own name (not `Amount` for `amount`, nor `amount[x]`).
 */
function fieldsAmbiguity(fields: readonly Field[], display: readonly string[]): string | null {
  const spellings = new Map<string, string>();
  for (const { name } of fields) {
    const key = fieldKey(name);
    const seen = spellings.get(key);
    if (seen !== undefined && seen !== name) return `the field ${JSON.stringify(name)} is also sent as ${JSON.stringify(seen)}`;
    spellings.set(key, name);
  }
  for (const displayed of display) {
    const path = displayedPath(displayed);
    if (path.length > 1) {
      // `/to/iban` on a form: origins nest `to[iban]` (Rails, PHP, qs) or `to.iban` (Spring,
      // ASP.NET) into it, or not at all; stepgate does not guess which, so it shows no such field.
      const nested = fields.find(({ name }) => couldNest(name, path[0]!));
      if (nested) return `the form field ${JSON.stringify(nested.name)} could be read as the displayed ${JSON.stringify(displayed)}`;
      continue;
    }
    const shown = path[0]!;
    // `amount` is also sent by `amount[x]` (PHP reads an array); `to[name]` only by its own spelling.
    const occurrences = fields.filter(({ name }) => couldBeField(name, shown));
    if (occurrences.length > 1) return `the displayed field ${JSON.stringify(shown)} is sent ${occurrences.length} times`;
    const [only] = occurrences;
    if (only && only.name !== shown) return `the displayed field ${JSON.stringify(shown)} is sent as ${JSON.stringify(only.name)}`;
  }
  return null;
}

/** Whether a form field `name` could be read as a part of `top` (`top[…`, `top.…`, in any spelling). */
function couldNest(name: string, top: string): boolean {
  const folded = fold(name.replace(/^ +/, ""));
  return folded.startsWith(`${fold(top)}[`) || folded.startsWith(`${fold(top)}.`);
}

/** JSON: no object with two keys that fold to one; each displayed pointer spelled exactly. */
function jsonAmbiguity(json: unknown, display: readonly string[]): string | null {
  const stack: unknown[] = [json];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== "object" || value === null) continue;
    if (!Array.isArray(value)) {
      const folded = new Map<string, string>();
      for (const key of Object.keys(value)) {
        const seen = folded.get(fold(key));
        if (seen !== undefined) return `the key ${JSON.stringify(key)} is also sent as ${JSON.stringify(seen)}`;
        folded.set(fold(key), key);
      }
    }
    stack.push(...Object.values(value));
  }
  for (const shown of display) {
    let current: unknown = json;
    for (const part of displayedPath(shown)) {
      if (typeof current !== "object" || current === null) break;
      const lookAlike = Object.keys(current).find((key) => key !== part && fold(key) === fold(part));
      if (lookAlike !== undefined) return `the displayed field ${JSON.stringify(shown)} is sent as ${JSON.stringify(lookAlike)}`;
      current = (current as Record<string, unknown>)[part];
    }
  }
  return null;
}

/**
 * Multipart: parts that declare a transfer encoding (some origins decode base64, others show
 * it as sent) and names with escapes; then the same field rules as a form. The part headers
 * are read from the bytes, since the platform's parser does not expose them.
 */
function multipartAmbiguity(body: ReadBody, contentType: string, display: readonly string[]): string | null {
  const text = latin1(body.bytes);
  if (/^content-transfer-encoding\s*:/im.test(text)) return "a multipart part with a Content-Transfer-Encoding";
  if (/^content-disposition\s*:[^\r\n]*\bname\*\s*=/im.test(text)) return "a multipart part named with an encoded name (name*=)";
  if (!body.fields) return "a multipart body that does not parse";
  const strict = strictMultipartParts(text, contentType);
  if (typeof strict === "string") return strict;
  // The platform's parser must have read the very parts the strict reading names, in order.
  if (strict.length !== body.fields.length || strict.some((part, i) => part.name !== body.fields![i]![0])) {
    return "a multipart body the platform's parser reads otherwise";
  }
  const fields = body.fields.map(([name, value]) => ({ name, value }));
  if (fields.some(({ name }) => name.includes("%"))) return "a multipart field name with a percent sign";
  return fieldsAmbiguity(fields, display);
}

/**
 * A displayed field must not appear in the query as well: Rails and PHP (`$_REQUEST`) merge the
 * query with the body, one letting the query win and the other the body.
 */
function queryAmbiguity(url: URL, display: readonly string[]): string | null {
  if (!url.search || display.length === 0) return null;
  const pairs = formPairs(url.search.slice(1));
  if (typeof pairs === "string") return "a query with a malformed percent-escape";
  for (const shown of display) {
    const top = displayedPath(shown)[0] ?? "";
    const inQuery = pairs.find(({ name }) => couldBeField(name, top));
    if (inQuery) return `the displayed field ${JSON.stringify(shown)} is also in the query (as ${JSON.stringify(inQuery.name)})`;
  }
  return null;
}
