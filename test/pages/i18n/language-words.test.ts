/**
 * The words of the languages but English come from the worker's assets, read through its
 * binding on first use: the assets are the typed modules' words, they are read once per isolate,
 * a language whose asset cannot be read is shown in English (not an error page), and the assets
 * are never served by URL on the portal's host.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../../../src/config/languages";
import { ALL_MESSAGE_TEXT } from "../../../src/factors/message-translations";
import { languageAssetPath, messageLanguage } from "../../../src/flows/language-words";
import { assetJson } from "../../../src/lib/asset-json";
import { ALL_PAGE_TEXT } from "../../../src/pages/i18n/all-languages";
import { hasPageCatalogue, loadPageWords, pageCatalogue } from "../../../src/pages/i18n/catalogue";
import { aPolicy, aTenant } from "../../support/builders";
import { expectErrorLogs } from "../../support/expected-logs";

describe("the languages' words in the assets", () => {
  it.each(LANGUAGES.filter((language) => language !== "en"))("holds %s's words exactly as the typed modules have them", async (language) => {
    expect(await assetJson(env.ASSETS, languageAssetPath(language))).toEqual({ pages: ALL_PAGE_TEXT[language], messages: ALL_MESSAGE_TEXT[language] });
  });

  it("has no English file: English is in the bundle", async () => {
    expect(await assetJson(env.ASSETS, languageAssetPath("en"))).toBeNull();
  });

  it("reads a language once, then keeps it", async () => {
    let reads = 0;
    const read = (input: RequestInfo | URL, init?: RequestInit) => {
      reads++;
      return env.ASSETS.fetch(input, init);
    };
    const counting = { ASSETS: { fetch: read } as Fetcher };
    expect(await loadPageWords(counting, "vi")).toBe("vi");
    expect(await loadPageWords(counting, "vi")).toBe("vi");
    expect(reads).toBe(1);
    expect(pageCatalogue("vi")["layout.language"]).toBe(ALL_PAGE_TEXT.vi["layout.language"]);
  });

  it("shows a page, and writes a code, in English when the language's words cannot be read", async () => {
    const broken = { ASSETS: { fetch: async () => new Response("nope", { status: 500 }) } as unknown as Fetcher };
    const errors = expectErrorLogs();
    expect(hasPageCatalogue("th")).toBe(false);
    expect(await loadPageWords(broken, "th")).toBe("en");
    expect(await messageLanguage(broken, "th")).toBe("en");
    expect(errors).toHaveBeenCalledTimes(2);
    expect(String(errors.mock.calls[0]![0])).toMatch(/words of th could not be read/);
    // Nothing was kept: the next request reads it again.
    expect(await loadPageWords(env, "th")).toBe("th");
  });

  it("a language asked for before it was read is a bug that throws, never a page in English by accident", () => {
    expect(() => pageCatalogue("tr")).toThrow(/not loaded/);
  });

  it("is not served by URL: the portal's own paths reach the portal, whatever the assets hold", async () => {
    const tenant = await aTenant(aPolicy());
    const response = await SELF.fetch(`${tenant.base}/i18n/de.json`);
    expect(await response.json()).toEqual({ origin: "fixture", method: "GET", path: "/i18n/de.json" });
    // And on a host no tenant serves, stepgate answers itself.
    expect((await SELF.fetch("https://no-tenant.example/i18n/de.json")).status).toBe(421);
  });
});
