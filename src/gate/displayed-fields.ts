/**
 * @module
 * The fields of a request the user sees while approving it (the policy's `display`), as text
 * in which every character is visible: what the challenge page, the challenge JSON and the
 * code's text or email show.
 */
import type { ReadBody } from "./request-digest";

/**
 * Runs of characters a reader cannot see or count: control and format characters (Unicode Cc
 * and Cf: line breaks, bidirectional overrides, zero-width spaces and joiners, soft hyphens,
 * tags), separators (spaces of every width, line and paragraph separators), letters and marks
 * that draw nothing (default-ignorable code points: Hangul fillers, variation selectors,
 * combining grapheme joiner) and the blank braille pattern U+2800. A payee name
 * could otherwise break the SMS text into lines, display `0001` as `1000` (U+202E), or pass
 * `ALICE` + spaces + CR LF + `MALLORY` off as `ALICE` (an HTML page collapses the spaces and
 * the line break; a server may take the last line).
 */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]+/gu;
const SPACE_SHOWN = "\u2423"; // ␣ OPEN BOX, the usual graphic for a space
const CONTROL_PICTURES = 0x2400; // ␀ for U+0000 … ␟ for U+001F
const DELETE_SHOWN = "\u2421"; // ␡

/** Longest value shown for one field; longer ones are cut with an ellipsis. */
const SHOWN_VALUE_CHARS = 120;

/**
 * The fields the policy's `display` names, as the user will see them: a name is a form field
 * or top-level JSON key; a name starting with `/` is a JSON pointer (RFC 6901). Missing fields
 * are said to be absent; values are text with every character visible ({@link visibleText}), cut
 * to a readable length. The pages escape them like any other text.
 * @example
 * displayedFields(body, ["/amount", "currency", "/destination/iban"])
 * // [{ field: "amount", value: "10" }, …]
 */
export function displayedFields(body: ReadBody, display: readonly string[]): Array<{ field: string; value: string }> {
  const shown: Array<{ field: string; value: string }> = [];
  for (const name of display) {
    // A JSON pointer names a field of a JSON body only; a plain name, a form field or top-level key.
    if (name.startsWith("/") && body.kind !== "json") continue;
    const values = body.kind === "json" ? [pointerValue(body.json, name)] : (body.fields ?? []).filter(([n]) => n === name).map(([, v]) => v);
    // A field the policy shows but the request lacks is said to be absent, not left out.
    const texts =
      values.length === 0 || values.every((v) => v === undefined) ? ["(absent)"] : values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    // A repeated form field is shown once per value: `to=A&to=B` must not read like `to=A, B`.
    texts.forEach((text, index) => {
      showOne(texts.length > 1 ? `${name} [${index + 1}]` : name, text);
    });
  }
  return shown;

  function showOne(name: string, text: string): void {
    const field = name.replace(/^\//, "").replace(/\//g, ".");
    // `amount` and `/amount` name the same JSON field (a policy may list both, for forms and JSON).
    if (shown.some((f) => f.field === field)) return;
    // Cut by code points, so no character is split in two.
    const visible = Array.from(visibleText(text));
    shown.push({ field, value: visible.length > SHOWN_VALUE_CHARS ? `${visible.slice(0, SHOWN_VALUE_CHARS).join("")}…` : visible.join("") });
  }
}

/**
 * `text` with every character the reader could not see or count drawn as a visible one: a
 * control character as its control picture (`␍␊`, `␉`, `␡`), a space as `␣`, any other as its
 * code (`\u202E`, `\u00A0`). Only a single space between two visible characters stays a space.
 * The marks are in the text itself, not left to the page's CSS (`white-space: pre-wrap`), because
 * the same value is shown where no stylesheet reaches: in the challenge JSON a portal renders in
 * its own page, and in the text or email that carries the code. And CSS would not show a space
 * at the end of a value, nor tell a no-break space from a space.
 * @example
 * visibleText("ALICE   \r\nMALLORY") // "ALICE␣␣␣␍␊MALLORY"
 * visibleText("Bob Smith")            // "Bob Smith"
 */
function visibleText(text: string): string {
  return text.replace(UNSEEN, (run: string, at: number) => (run === " " && at > 0 && at + 1 < text.length ? run : Array.from(run, visibleChar).join("")));
}

function visibleChar(char: string): string {
  const code = char.codePointAt(0)!;
  if (code === 0x20) return SPACE_SHOWN;
  if (code < 0x20) return String.fromCodePoint(CONTROL_PICTURES + code);
  if (code === 0x7f) return DELETE_SHOWN;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * The keys a displayed name walks: a JSON pointer's parts (RFC 6901), or a plain name itself.
 * @example
 * displayedPath("/to/name") // ["to", "name"]
 */
export function displayedPath(name: string): string[] {
  if (!name.startsWith("/")) return [name];
  return name
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function pointerValue(json: unknown, name: string): unknown {
  let current: unknown = json;
  for (const part of displayedPath(name)) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
