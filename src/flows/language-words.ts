/**
 * @module
 * Reading a language's words (the hosted pages' and the code messages') from the worker's
 * assets, once per isolate: English is in the bundle, the other 14 languages are data most
 * isolates never need (`npm run assets` writes them from the typed modules). Not a promise shared
 * between requests: a Workers isolate may not await one request's I/O in another, so two first
 * requests for a language each read it, and the second keeps what the first kept.
 */
import type { Language } from "../config/languages";
import { assetJson } from "../lib/asset-json";
import { hasMessageCatalogue, keepMessageCatalogue, type MessageCatalogue } from "../factors/message-text";

/** What `assets/i18n/<language>.json` holds. */
export interface LanguageWords {
  /** The hosted pages' words (typed by `pages/i18n/en.ts`; this layer does not know pages). */
  pages: Readonly<Record<string, unknown>>;
  messages: MessageCatalogue;
}

/** The asset of `language`'s words. */
export function languageAssetPath(language: Language): string {
  return `/i18n/${language}.json`;
}

/**
 * `language`'s words from the assets, its message words kept for {@link messageCatalogue};
 * `null` for English (in the bundle) or a language whose words are already kept.
 * @example
 * await readLanguageWords(env, "de") // { pages: { … }, messages: { … } }
 */
export async function readLanguageWords(env: Pick<Env, "ASSETS">, language: Language): Promise<LanguageWords | null> {
  if (language === "en") return null;
  const words = await assetJson(env.ASSETS, languageAssetPath(language));
  if (!isLanguageWords(words)) throw new Error(`stepgate: ${languageAssetPath(language)} is missing or not a language's words (run npm run assets)`);
  if (!hasMessageCatalogue(language)) keepMessageCatalogue(language, words.messages);
  return words;
}

/**
 * The language the code messages can be written in: `language` once its words are read, else
 * English (its words could not be read: a code in English reaches the user, none would not).
 * @example
 * const language = await messageLanguage(c.env, "de");
 * codeMessage(language, "sms", …);
 */
export async function messageLanguage(env: Pick<Env, "ASSETS">, language: Language): Promise<Language> {
  if (hasMessageCatalogue(language)) return language;
  try {
    await readLanguageWords(env, language);
    return language;
  } catch (error) {
    console.error(`stepgate: the words of ${language} could not be read; writing in English`, error);
    return "en";
  }
}

function isLanguageWords(value: unknown): value is LanguageWords {
  const record = value as Partial<LanguageWords> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    typeof record.pages === "object" &&
    record.pages !== null &&
    typeof record.messages === "object" &&
    record.messages !== null
  );
}
