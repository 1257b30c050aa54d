/**
 * @module
 * A catalogue of words per language, kept for the isolate's life: English from the bundle, each
 * other language once it was read from the worker's assets. Asking for a language that was not
 * read is a bug in the caller, not a reason to show English: it throws.
 */

export interface KeptWords<Language extends string, Catalogue> {
  /** `language`'s words; throws when they were not read. */
  get(language: Language): Catalogue;
  /** Keeps `language`'s words, read from the assets. */
  keep(language: Language, catalogue: Catalogue): void;
  /** Whether `language`'s words are here already. */
  has(language: Language): boolean;
}

/**
 * @example
 * const pages = keptWords("page words", "en", en);
 * pages.get("en")["layout.language"] // "Language"
 */
export function keptWords<Language extends string, Catalogue>(what: string, english: Language, words: Catalogue): KeptWords<Language, Catalogue> {
  const kept = new Map<Language, Catalogue>([[english, words]]);
  return {
    get(language) {
      const catalogue = kept.get(language);
      if (!catalogue) throw new Error(`stepgate: the ${what} of ${language} were not loaded before use`);
      return catalogue;
    },
    keep: (language, catalogue) => void kept.set(language, catalogue),
    has: (language) => kept.has(language),
  };
}
