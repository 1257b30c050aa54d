/**
 * @module
 * The hosted pages' catalogue: one plain object per language (`en.ts` is the source of keys
 * and placeholders), typed so that a language missing a key, or holding one English does not
 * have, does not compile (`all-languages.ts` holds them all).
 *
 * English is the one language in the bundle; the others are read from the worker's assets
 * (`assets/i18n/<language>.json`, written by `npm run assets`) on first use in an isolate
 * (`loadLanguageWords`) and kept here.
 *
 * A new string: add it to `en.ts`, then to every other language's module (the compiler lists
 * them), run `npm run assets`, then use it through the page's `text.t("key", { … })`.
 */
import type { Language } from "../../config/languages";
import { readLanguageWords } from "../../flows/language-words";
import { keptWords } from "../../lib/kept-words";
import { en, type PageCatalogue } from "./en";

export type { PageCatalogue, PageKey } from "./en";

const kept = keptWords<Language, PageCatalogue>("page words", "en", en);

/**
 * `language`'s page words: English always, another language once it was loaded. A page asking
 * for a language that was not loaded is a bug in its route, not a reason to show English: it throws.
 * @example
 * pageCatalogue("en")["layout.language"] // "Language"
 */
export const pageCatalogue = kept.get;
/** Keeps `language`'s page words, read from the assets, for the isolate's life. */
export const keepPageCatalogue = kept.keep;
/** Whether `language`'s page words are here already. */
export const hasPageCatalogue = kept.has;

/** English's page words, the source every other language translates. */
export const ENGLISH_PAGE_TEXT: PageCatalogue = en;

/**
 * The language a page can be shown in: `language` once its words (the page's and the code
 * messages', which name the operations) are read, else English (they could not be read: the
 * page in English serves the user, an error page would not), logged.
 * @example
 * const language = await loadPageWords(c.env, "ja"); // "ja"
 */
export async function loadPageWords(env: Pick<Env, "ASSETS">, language: Language): Promise<Language> {
  if (hasPageCatalogue(language)) return language;
  try {
    const words = await readLanguageWords(env, language);
    // The asset is written from the typed modules (npm run assets), and checked against them in CI.
    if (words) keepPageCatalogue(language, words.pages as PageCatalogue);
    return language;
  } catch (error) {
    console.error(`stepgate: the words of ${language} could not be read; showing the page in English`, error);
    return "en";
  }
}
