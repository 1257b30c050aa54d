/**
 * @module
 * The hosted pages' catalogue: one plain object per language (`en.ts` is the source of keys
 * and placeholders), typed so that a language missing a key, or holding one English does not
 * have, does not compile.
 *
 * A new string: add it to `en.ts`, then to every other language's module (the compiler lists
 * them), then use it through the page's `text.t("key", { … })`.
 */
import type { Language } from "../../config/languages";
import type { Message } from "../../lib/message-format";
import { en } from "./en";

export type PageKey = keyof typeof en;

/** A language's page words: every key of English, no other. */
export type PageCatalogue = Readonly<Record<PageKey, Message>>;

/** Every language's page words; a language not translated yet is shown in English (see the catalogue test). */
export const PAGE_TEXT: Readonly<Partial<Record<Language, PageCatalogue>>> = { en };
