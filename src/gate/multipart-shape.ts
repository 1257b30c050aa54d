/**
 * @module
 * The one shape of `multipart/form-data` every parser reads alike: what browsers send. Parsers
 * disagree at every edge of RFC 7578 — which of two `Content-Disposition` headers names a part
 * (workerd the first, undici the last), whether `\` escapes in a quoted name, whether a
 * preamble, an epilogue, bare-LF line breaks, folded headers or a part after the closing
 * delimiter count — and a body built on such an edge can show one field to the user while the
 * origin reads another. So a multipart body stepgate must show or bind is read here, strictly,
 * and anything outside that shape is refused rather than read one way.
 */

/** A part as the strict reading names it. */
export interface StrictPart {
  name: string;
  /** The `filename` parameter, when the part is a file. */
  filename: string | null;
  /** The part's `Content-Type`, as sent. */
  type: string | null;
}

const HEADER_LINE = /^([A-Za-z0-9-]+):[ \t]*([^\r\n]*)$/;
/** `form-data; name="…"` and optionally `; filename="…"`: quoted, no escapes, no other parameter. */
const DISPOSITION = /^form-data((?:[ \t]*;[ \t]*(?:name|filename)="[^"\\\r\n]*")+)[ \t]*$/i;
const DISPOSITION_PARAMETER = /(name|filename)="([^"\\\r\n]*)"/gi;

/**
 * The parts of a multipart body (as {@link latin1} text) read in the strict shape, or why it is
 * outside that shape.
 * @example
 * strictMultipartParts(latin1(bytes), "multipart/form-data; boundary=B") // [{ name: "amount", filename: null, type: null }]
 */
export function strictMultipartParts(text: string, contentType: string): StrictPart[] | string {
  const boundaries = [...contentType.matchAll(/;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/gi)];
  if (boundaries.length !== 1) return "a multipart body without exactly one boundary";
  const boundary = boundaries[0]![1] ?? boundaries[0]![2]!;
  const open = `--${boundary}\r\n`;
  const close = `\r\n--${boundary}--`;
  if (!text.startsWith(open)) return "a multipart body with a preamble or without its opening delimiter";
  const end = text.indexOf(close);
  if (end === -1) return "a multipart body without its closing delimiter";
  const after = text.slice(end + close.length);
  if (after !== "" && after !== "\r\n") return "a multipart body with something after its closing delimiter";
  const parts: StrictPart[] = [];
  for (const part of text.slice(open.length, end).split(`\r\n--${boundary}\r\n`)) {
    const read = strictPart(part, boundary);
    if (typeof read === "string") return read;
    parts.push(read);
  }
  return parts;
}

function strictPart(part: string, boundary: string): StrictPart | string {
  const headEnd = part.indexOf("\r\n\r\n");
  if (headEnd === -1) return "a multipart part without a blank line after its headers";
  const content = part.slice(headEnd + 4);
  // A lenient parser takes `\n--boundary` (or the boundary anywhere) as a delimiter.
  if (content.includes(`--${boundary}`)) return "a multipart part containing its boundary";
  let disposition: string | null = null;
  let type: string | null = null;
  for (const line of part.slice(0, headEnd).split("\r\n")) {
    const header = HEADER_LINE.exec(line);
    if (!header) return "a multipart part header that is folded, bare or broken across lines";
    const name = header[1]!.toLowerCase();
    if (name === "content-disposition") {
      if (disposition !== null) return "a multipart part with two Content-Disposition headers";
      disposition = header[2]!;
    } else if (name === "content-type") {
      if (type !== null) return "a multipart part with two Content-Type headers";
      type = header[2]!;
    } else {
      return `a multipart part with a ${header[1]} header`;
    }
  }
  const form = disposition === null ? null : DISPOSITION.exec(disposition);
  if (!form) return 'a multipart part whose Content-Disposition is not form-data; name="…" (no escapes, no other parameters)';
  const parameters = new Map<string, string>();
  for (const [, key, value] of form[1]!.matchAll(DISPOSITION_PARAMETER)) {
    if (parameters.has(key!.toLowerCase())) return "a multipart part naming a parameter twice";
    parameters.set(key!.toLowerCase(), utf8(value!));
  }
  const name = parameters.get("name");
  if (name === undefined) return "a multipart part without a name";
  const filename = parameters.get("filename") ?? null;
  // A browser sends `filename=""` for an empty file input, with no content; with content, one
  // parser reads a text field and another an unnamed file.
  if (filename === "" && content !== "") return "a multipart part with an empty filename and content";
  return { name, filename, type };
}

/**
 * The body's bytes one character each (not the WHATWG "latin1" decoder, which is windows-1252
 * and maps 0x80–0x9F elsewhere), so a quoted name's UTF-8 bytes can be read back exactly.
 * @example
 * latin1(new Uint8Array([0xc3, 0xa9])) // "\u00c3\u00a9"
 */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

/** A quoted name's bytes (read as latin1 above) as the UTF-8 text browsers send. */
function utf8(latin: string): string {
  return new TextDecoder().decode(Uint8Array.from(latin, (char) => char.charCodeAt(0)));
}
