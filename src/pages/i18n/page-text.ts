/**
 * @module
 * Everything a page says that depends on its language, bound to one: the words (`t`), words
 * with markup inside (`parts`), operation names, numbers, lengths of time and dates, the time
 * zone dates are shown in, and the direction the page is written in.
 */
import type { Child } from "hono/jsx";
import { type Language, textDirection } from "../../config/languages";
import { operationLabel, type TextOverrides } from "../../factors/messages";
import { formatDateTime, formatDuration, formatMessage, formatNumber, type MessageParams, messageParts, overridden } from "../../lib/message-format";
import { type PageCatalogue, type PageKey, pageCatalogue } from "./catalogue";

/** One entry of the language menu: a link to the same page in another language. */
export interface LanguageLink {
  language: Language;
  href: string;
}

export interface PageText {
  readonly language: Language;
  readonly dir: "ltr" | "rtl";
  /** The IANA time zone dates are shown in: the visitor's (Cloudflare's `request.cf.timezone`), else `UTC`. */
  readonly timeZone: string;
  /** The language menu's links (this page in each of the tenant's languages), or `null` where the page cannot be loaded again. */
  readonly menu: readonly LanguageLink[] | null;
  /** @example text.t("stepUp.verifyFirst", { operation: text.operation("withdraw") }) */
  t(key: PageKey, params?: MessageParams): string;
  /** The message split at the placeholders named in `parts`, each filled with that markup. */
  parts(key: PageKey, parts: Readonly<Record<string, Child>>, params?: MessageParams): Child[];
  /** An operation's name in this language (see `operationLabel`). */
  operation(name: string): string;
  /** The title of the page that confirms `operation` (see `operationTitle`). */
  operationTitle(operation: string): string;
  number(value: number): string;
  /** A wait: seconds up to two minutes, whole minutes (rounded up) beyond. */
  wait(seconds: number): string;
  /** An ISO 8601 time as a date and time of day in {@link timeZone}. */
  dateTime(iso: string): string;
  /** {@link timeZone} by its name in this language, and its IANA name. */
  zoneName(): string;
}

export interface PageTextOptions {
  /** The tenant's words for this language (`branding.text[language]`). */
  overrides?: TextOverrides;
  timeZone?: string;
  menu?: readonly LanguageLink[] | null;
}

/**
 * `language`'s words must have been read (`loadPageWords`; `requestText` does).
 * @example
 * const text = pageText("de", { overrides: policy.branding.text.de, timeZone: "Europe/Berlin" });
 */
export function pageText(language: Language, options: PageTextOptions = {}): PageText {
  const catalogue = pageCatalogue(language);
  const overrides = options.overrides ?? {};
  const timeZone = options.timeZone ?? "UTC";
  const message = (key: PageKey) => overridden(catalogue[key], overrides[key]);
  return {
    language,
    dir: textDirection(language),
    timeZone,
    menu: options.menu ?? null,
    t: (key, params) => formatMessage(message(key), language, params),
    parts: (key, parts, params) => messageParts<Child>(message(key), language, parts, params),
    operation: (name) => operationLabel(language, name, overrides),
    operationTitle: (name) => {
      const key = builtInTitle(catalogue, overrides, name);
      if (key) return formatMessage(message(key), language);
      return formatMessage(message("challenge.title"), language, { operation: operationLabel(language, name, overrides) });
    },
    number: (value) => formatNumber(value, language),
    wait: (seconds) => (seconds <= 120 ? formatDuration(seconds, "second", language) : formatDuration(Math.ceil(seconds / 60), "minute", language)),
    dateTime: (iso) => formatDateTime(iso, language, timeZone),
    zoneName: () => {
      const named = new Intl.DateTimeFormat(language, { timeZone, timeZoneName: "long" }).formatToParts(new Date());
      return `${named.find((part) => part.type === "timeZoneName")?.value ?? timeZone} (${timeZone})`;
    },
  };
}

/**
 * The key of a built-in operation's own title (`challenge.title.withdraw`: "Confirm your
 * withdrawal"), or `null` for the general "Confirm {operation}": an operation the tenant added,
 * or a built-in one the tenant renamed (`op.<name>`) and gave no title of its own.
 * @example
 * builtInTitle(pageCatalogue("en"), {}, "login") // "challenge.title.login"
 */
export function builtInTitle(catalogue: PageCatalogue, overrides: TextOverrides, operation: string): PageKey | null {
  const key = `challenge.title.${operation}`;
  if (!Object.hasOwn(catalogue, key)) return null;
  return overrides[key] !== undefined || overrides[`op.${operation}`] === undefined ? (key as PageKey) : null;
}
