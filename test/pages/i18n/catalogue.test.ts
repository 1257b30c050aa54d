/**
 * The catalogues (the hosted pages' and the code messages'): every language has English's keys
 * (the compiler checks that too), the same placeholders in every entry, and the plural forms its
 * `Intl.PluralRules` uses; and the languages not translated yet are named here.
 */
import { describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../../../src/config/languages";
import { ALL_MESSAGE_TEXT as MESSAGE_TEXT } from "../../../src/factors/message-translations";
import { type Message, placeholdersOf } from "../../../src/lib/message-format";
import { ALL_PAGE_TEXT as PAGE_TEXT } from "../../../src/pages/i18n/all-languages";

const CATALOGUES = { pages: PAGE_TEXT, messages: MESSAGE_TEXT } as const;

/** The languages whose words are still to be written (each is shown in English until then). */
const NOT_YET_TRANSLATED: readonly Language[] = [];

/** What differs between `entry` in `language` and English's `source`, in words; empty when nothing does. */
function differences(language: Language, key: string, source: Message, entry: Message | undefined): string[] {
  if (entry === undefined) return [`${key}: missing`];
  const found: string[] = [];
  const [want, got] = [placeholdersOf(source), placeholdersOf(entry)];
  if (want.join() !== got.join()) found.push(`${key}: placeholders {${got.join("}, {")}}, English has {${want.join("}, {")}}`);
  if (typeof entry !== "string") {
    const used = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const form of Object.keys(entry)) if (!used.includes(form as Intl.LDMLPluralRule)) found.push(`${key}: ${language} has no plural form "${form}"`);
    for (const form of used) if (!(form in entry)) found.push(`${key}: plural form "${form}" missing`);
    // A form may leave the number out ("one attempt left"), never name another placeholder.
    for (const text of Object.values(entry))
      if (!placeholdersOf(text).every((name) => want.includes(name))) found.push(`${key}: a plural form names another placeholder`);
  } else if (typeof source !== "string" && new Intl.PluralRules(language).resolvedOptions().pluralCategories.length > 1) {
    found.push(`${key}: ${language} has plural forms; give each`);
  }
  return found;
}

describe.each(Object.entries(CATALOGUES))("the %s catalogue", (_name, catalogues) => {
  const source = catalogues.en!;

  it.each(LANGUAGES.filter((language) => catalogues[language]))("has English's keys and placeholders in %s", (language) => {
    const catalogue = catalogues[language]! as Readonly<Record<string, Message>>;
    const found = Object.entries(source).flatMap(([key, message]) => differences(language, key, message, catalogue[key]));
    for (const key of Object.keys(catalogue)) if (!(key in source)) found.push(`${key}: not an English key`);
    expect(found).toEqual([]);
  });

  it("names the languages not translated yet", () => {
    expect(LANGUAGES.filter((language) => !catalogues[language])).toEqual(NOT_YET_TRANSLATED);
  });
});
