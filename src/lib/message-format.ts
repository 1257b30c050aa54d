/**
 * @module
 * Filling in a translated message: `{name}` placeholders, and plural forms chosen by
 * `Intl.PluralRules` for the message's `{count}`. Numbers are written with `Intl.NumberFormat`
 * for the language. The catalogues are plain objects of these messages.
 */

/**
 * A message whose words depend on `{count}`: the forms the language's plural rules name
 * (English `one` and `other`, Polish `one`, `few`, `many` and `other`); `other` always.
 */
export type PluralMessage = { readonly other: string } & { readonly [form in Exclude<Intl.LDMLPluralRule, "other">]?: string };

/** A catalogue entry: a plain text, or one text per plural form. */
export type Message = string | PluralMessage;

/** What fills the placeholders: numbers are formatted for the language, strings go in as they are. */
export type MessageParams = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Intl's formatters are costly to build: one per language and kind, kept for the isolate's life. */
type Formatter = Intl.PluralRules | Intl.NumberFormat | Intl.ListFormat | Intl.DateTimeFormat;
const formatters = new Map<string, Formatter>();

function formatter<T extends Formatter>(key: string, make: () => T): T {
  let made = formatters.get(key) as T | undefined;
  if (!made) {
    made = make();
    formatters.set(key, made);
  }
  return made;
}

/**
 * The names of the placeholders `message` uses, over all its plural forms, sorted.
 * @example
 * placeholdersOf("{code} is your {tenant} code") // ["code", "tenant"]
 */
export function placeholdersOf(message: Message): string[] {
  const texts = typeof message === "string" ? [message] : Object.values(message);
  return [...new Set(texts.flatMap((text) => [...(text ?? "").matchAll(PLACEHOLDER)].map((match) => match[1]!)))].sort();
}

/** The form of `message` for `params.count` in `language`. */
export function pluralForm(message: Message, language: string, params: MessageParams): string {
  if (typeof message === "string") return message;
  const rules = formatter(`plural|${language}`, () => new Intl.PluralRules(language));
  return message[rules.select(Number(params.count ?? 0))] ?? message.other;
}

/** `value` as `language` writes numbers: `1234` → `1,234` (en), `1.234` (de), `١٬٢٣٤` (ar). */
export function formatNumber(value: number, language: string): string {
  return formatter(`number|${language}`, () => new Intl.NumberFormat(language)).format(value);
}

/** A share of a whole (`0.25`) as `language` writes a percentage: `25%` (en), `25 %` (de), `%25` (tr). */
export function formatPercent(share: number, language: string): string {
  return formatter(`percent|${language}`, () => new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 })).format(share);
}

/** Items as a list in `language`: `A, B, C` (en), `A, B und C` (de), `A、B、C` (ja). */
export function formatList(items: readonly string[], language: string): string {
  return formatter(`list|${language}`, () => new Intl.ListFormat(language, { style: "narrow", type: "conjunction" })).format(items);
}

/** An ISO 8601 time as a date and time of day in `language`, in `timeZone`: `Nov 2, 2026, 2:00 PM`. */
export function formatDateTime(iso: string, language: string, timeZone: string): string {
  return formatter(`dateTime|${language}|${timeZone}`, () => new Intl.DateTimeFormat(language, { timeZone, dateStyle: "medium", timeStyle: "short" })).format(
    new Date(iso),
  );
}

/**
 * A length of time as `language` writes it, plural and all: `5 minutes`, `5 Minuten`, `5 minut`;
 * `short` for a text message: `5 min`.
 * @example
 * formatDuration(30, "second", "en") // "30 seconds"
 */
export function formatDuration(value: number, unit: "second" | "minute" | "hour", language: string, unitDisplay: "long" | "short" = "long"): string {
  return formatter(`${unit}|${unitDisplay}|${language}`, () => new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay })).format(value);
}

/**
 * A tenant's own wording in place of `message`, when it has the same placeholders (a policy
 * written by hand to KV is not checked as an admin's write is: a mismatch keeps the catalogue's).
 * @example
 * overridden("Confirm {operation}", "Approve {operation}") // "Approve {operation}"
 */
export function overridden(message: Message, override: string | undefined): Message {
  if (override === undefined) return message;
  return placeholdersOf(override).join() === placeholdersOf(message).join() ? override : message;
}

/**
 * `message` in `language` with its placeholders filled; a placeholder without a value stays as written.
 * @example
 * formatMessage({ one: "{count} attempt left", other: "{count} attempts left" }, "en", { count: 1 }) // "1 attempt left"
 */
export function formatMessage(message: Message, language: string, params: MessageParams = {}): string {
  return pluralForm(message, language, params).replace(PLACEHOLDER, (written, name: string) => {
    const value = params[name];
    if (value === undefined) return written;
    return typeof value === "number" ? formatNumber(value, language) : value;
  });
}

/**
 * `message` split at its placeholders, each filled from `parts` (anything: JSX, for a link or
 * a bold address inside a sentence), the text between them as strings.
 * @example
 * messageParts("We sent a code to {destination}.", "en", { destination: <strong>…</strong> }) // ["We sent a code to ", <strong>…</strong>, "."]
 */
export function messageParts<T>(message: Message, language: string, parts: Readonly<Record<string, T>>, params: MessageParams = {}): Array<string | T> {
  const pieces = pluralForm(message, language, params).split(PLACEHOLDER);
  // split() with a capturing group puts the names at the odd indices.
  return pieces
    .map((piece, i) => {
      if (i % 2 === 0) return piece;
      return piece in parts ? parts[piece]! : formatMessage(`{${piece}}`, language, params);
    })
    .filter((piece) => piece !== "");
}
