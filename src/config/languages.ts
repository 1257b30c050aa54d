/**
 * @module
 * The languages stepgate speaks: the hosted pages, the error pages and the texts and emails that
 * carry a code. The policy's `branding.languages` picks among them; the catalogues
 * (`pages/i18n/`, `factors/message-text.ts`) must hold every one.
 */

/** BCP 47 tags, in the order the language menu lists them. */
export const LANGUAGES = ["en", "es", "pt-BR", "fr", "de", "it", "pl", "ru", "tr", "ar", "zh-CN", "ja", "th", "vi", "id"] as const;

export type Language = (typeof LANGUAGES)[number];

/** Each language by its own name, as the language menu shows it: a reader finds theirs whatever the page is in. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: "English",
  es: "Español",
  "pt-BR": "Português (Brasil)",
  fr: "Français",
  de: "Deutsch",
  it: "Italiano",
  pl: "Polski",
  ru: "Русский",
  tr: "Türkçe",
  ar: "العربية",
  "zh-CN": "简体中文",
  ja: "日本語",
  th: "ไทย",
  vi: "Tiếng Việt",
  id: "Bahasa Indonesia",
};

const RIGHT_TO_LEFT: ReadonlySet<Language> = new Set(["ar"]);

/** @example isLanguage("pt-BR") // true */
export function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

/** @example textDirection("ar") // "rtl" */
export function textDirection(language: Language): "ltr" | "rtl" {
  return RIGHT_TO_LEFT.has(language) ? "rtl" : "ltr";
}

/**
 * A language tag as a browser or an identity provider writes it, brought to the tag stepgate
 * knows it by, before it is matched: `pt_PT` and `pt` read as `pt-BR` (the Portuguese stepgate
 * has), `zh`, `zh-Hans…` and `zh-SG` as `zh-CN` (Simplified Chinese; Traditional is left
 * unmatched). Anything else is returned as it came, `_` written `-`.
 * @example
 * languageTagFor("zh-Hans-CN") // "zh-CN"
 */
export function languageTagFor(tag: string): string {
  const written = tag.trim().replace(/_/g, "-");
  const lower = written.toLowerCase();
  if (lower === "pt" || lower.startsWith("pt-")) return "pt-BR";
  if (lower === "zh" || lower.startsWith("zh-hans") || lower === "zh-cn" || lower === "zh-sg") return "zh-CN";
  return written;
}

/**
 * The language of `supported` that one tag names, read as `languageTagFor` reads it: the same
 * tag in any case, else the language a regional tag belongs to (`de-AT` → `de`). For a single
 * tag, such as a session claim; `Accept-Language` lists are matched by `hono/language`.
 * @example
 * matchLanguage("de_AT", ["en", "de"]) // "de"
 */
export function matchLanguage(tag: string, supported: readonly Language[]): Language | undefined {
  const wanted = languageTagFor(tag).toLowerCase();
  return supported.find((language) => language.toLowerCase() === wanted) ?? supported.find((language) => wanted.startsWith(`${language.toLowerCase()}-`));
}

/** Chinese as written in Taiwan, Hong Kong and Macau: Traditional characters, not zh-CN's Simplified. */
const TRADITIONAL_CHINESE = /^zh-(tw|hk|mo|hant)\b/i;

/**
 * A policy's language tag as one of ours: the tag itself, or the one language we have for its
 * primary subtag (`en-GB` → `en`, `pt-PT` → `pt-BR`, `DE` → `de`); itself otherwise, for the
 * schema to refuse by name. Policies written before the hosted pages spoke 15 languages named any
 * `ll-CC` tag as their default; such a policy keeps working instead of failing closed.
 * @example
 * supportedLanguageTag("en-GB") // "en"
 * supportedLanguageTag("zh-TW") // "zh-TW" (Traditional Chinese is not zh-CN)
 */
export function supportedLanguageTag(tag: unknown): unknown {
  if (typeof tag !== "string" || TRADITIONAL_CHINESE.test(tag)) return tag;
  const exact = LANGUAGES.find((language) => language.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const primary = tag.split("-")[0]!.toLowerCase();
  const same = LANGUAGES.filter((language) => language.split("-")[0]!.toLowerCase() === primary);
  return same.length === 1 ? same[0] : tag;
}
