/**
 * The SPA client's dialog is named, before its page has loaded, with the hosted pages' own words
 * for "Verify it's you" in every language stepgate speaks: kept the catalogue's, not a second
 * translation.
 */
import { describe, expect, it } from "vitest";
import { PROVISIONAL_NAMES, provisionalName } from "../../client/src/dialog-name";
import { LANGUAGES } from "../../src/config/languages";
import { ALL_PAGE_TEXT } from "../../src/pages/i18n/all-languages";

describe("the client dialog's provisional name", () => {
  it("is the catalogue's challenge.title.login, in every language and no other", () => {
    expect(Object.keys(PROVISIONAL_NAMES).sort()).toEqual([...LANGUAGES].sort());
    for (const language of LANGUAGES) expect(PROVISIONAL_NAMES[language], language).toBe(ALL_PAGE_TEXT[language]["challenge.title.login"]);
  });

  it("follows the page's language, its region dropped when stepgate has no such region, else English", () => {
    expect(provisionalName("pt-BR")).toBe(ALL_PAGE_TEXT["pt-BR"]["challenge.title.login"]);
    expect(provisionalName("pt-PT")).toBe(ALL_PAGE_TEXT["pt-BR"]["challenge.title.login"]);
    expect(provisionalName("zh")).toBe(ALL_PAGE_TEXT["zh-CN"]["challenge.title.login"]);
    expect(provisionalName("DE")).toBe(ALL_PAGE_TEXT.de["challenge.title.login"]);
    expect(provisionalName("")).toBe("Verify it's you");
    expect(provisionalName("nl")).toBe("Verify it's you");
  });
});
