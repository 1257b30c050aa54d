/**
 * @module
 * The fields of a request the user sees while approving it (the policy's `display`), as text
 * in which every character is visible: what the challenge page, the challenge JSON and the
 * code's text or email show.
 */
import { displayEntry, type Operation } from "../config/operation-schema";
import type { ApprovedField } from "../factors/approved-field";
import { ProblemError } from "../lib/problem";
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
 * or top-level JSON key; a name starting with `/` is a JSON pointer (RFC 6901). Values are text
 * with every character visible ({@link visibleText}), cut to a readable length; each keeps its
 * entry's label and format, and a money amount the currency the request sent with it, for the
 * page, the JSON and the code's text to show alike (`shownField`). An absent field is left out,
 * unless its entry is `required`: then the request is refused (400 `display_field_missing`),
 * since the user could not see what they approve. The pages escape values like any other text.
 * @example
 * displayedFields(body, ["/amount", "currency", "/destination/iban"])
 * // [{ field: "amount", value: "10" }, …]
 */
export function displayedFields(body: ReadBody, display: Operation["display"]): ApprovedField[] {
  const shown: ApprovedField[] = [];
  for (const entry of display.map(displayEntry)) {
    const { field: name } = entry;
    // On a form, a one-part pointer (`/amount`) is the field of that name, as an origin binding
    // either body to one model reads it; a deeper one (`/to/iban`) is absent (a form that could
    // spell it, `to[iban]` or `to.iban`, was refused as ambiguous), so when required, refused.
    const texts = valuesOf(body, name);
    if (texts.length === 0) {
      if (entry.required) {
        throw new ProblemError(400, "display_field_missing", `This request lacks the field ${JSON.stringify(name)}, which must be shown to approve it.`, {
          field: name,
        });
      }
      continue;
    }
    const [currency, ...more] = entry.currencyField === undefined ? [] : valuesOf(body, entry.currencyField);
    // A repeated form field is shown once per value: `to=A&to=B` must not read like `to=A, B`.
    texts.forEach((text, index) => {
      showOne(texts.length > 1 ? `${name} [${index + 1}]` : name, text, {
        ...(entry.label === undefined ? {} : { label: entry.label }),
        ...(entry.format === "text" ? {} : { format: entry.format }),
        // Two currencies, or none, or no code (longer than 3): the amount is shown as sent.
        ...(currency?.length === 3 && more.length === 0 ? { currency } : {}),
      });
    });
  }
  return shown;

  function showOne(name: string, text: string, how: Omit<ApprovedField, "field" | "value">): void {
    const field = name.replace(/^\//, "").replace(/\//g, ".");
    // Cut by code points, so no character is split in two.
    const visible = Array.from(visibleText(text));
    const value = visible.length > SHOWN_VALUE_CHARS ? `${visible.slice(0, SHOWN_VALUE_CHARS).join("")}…` : visible.join("");
    const same = shown.find((f) => f.field === field);
    // `amount` and `/amount` name the same JSON field (a policy may list both, for forms and JSON).
    // Two entries shown alike with different values (the key `to.iban` and the pointer
    // `/to/iban`, which Spring or ASP.NET bind to one property) are two readings of one field.
    if (same && same.value !== value) {
      throw new ProblemError(
        400,
        "ambiguous_request",
        `This request cannot be approved as shown: the displayed field ${JSON.stringify(field)} is sent twice, as a key and as a path.`,
        {
          ambiguity: `the displayed field ${JSON.stringify(field)} is sent as a key and as a path with different values`,
        },
      );
    }
    if (same) return;
    shown.push({ field, value, ...how });
  }
}

/** The values the request sends for one displayed name, as text; none when it lacks the field. */
function valuesOf(body: ReadBody, name: string): string[] {
  const path = displayedPath(name);
  if (body.kind !== "json" && path.length !== 1) return [];
  const values = body.kind === "json" ? [pointerValue(body.json, name)] : (body.fields ?? []).filter(([n]) => n === path[0]).map(([, v]) => v);
  return values.filter((v) => v !== undefined).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
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
