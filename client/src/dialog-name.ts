/**
 * @module
 * The challenge dialog's name before its page has loaded, in the page's language: the hosted
 * pages' own "Verify it's you" (`challenge.title.login`), so a screen reader announces the dialog
 * in words the user reads even before the page's title replaces it.
 */

/** By stepgate's language tags; `test/node/client-names.test.ts` keeps them the catalogue's. */
export const PROVISIONAL_NAMES: Readonly<Record<string, string>> = {
  en: "Verify it's you",
  es: "Confirme que es usted",
  "pt-BR": "Confirme que é você",
  fr: "Confirmez votre identité",
  de: "Bestätigen Sie, dass Sie es sind",
  it: "Confermi la Sua identità",
  pl: "Potwierdź, że to Ty",
  ru: "Подтвердите, что это вы",
  tr: "Kimliğinizi doğrulayın",
  ar: "أكّد هويتك",
  "zh-CN": "验证您的身份",
  ja: "ご本人確認",
  th: "ยืนยันตัวตนของคุณ",
  vi: "Xác minh danh tính của Quý khách",
  id: "Konfirmasi identitas Anda",
};

/**
 * The provisional name for a page in `lang` (its `<html lang>`): that language, else its
 * language without the region, else English.
 * @example
 * provisionalName("pt") // "Confirme que é você"
 * provisionalName("de-AT") // "Bestätigen Sie, dass Sie es sind"
 */
export function provisionalName(lang: string): string {
  const tags = Object.keys(PROVISIONAL_NAMES);
  const primary = (tag: string) => tag.split("-")[0]!.toLowerCase();
  const tag = tags.find((t) => t.toLowerCase() === lang.toLowerCase()) ?? tags.find((t) => primary(t) === primary(lang)) ?? "en";
  return PROVISIONAL_NAMES[tag]!;
}
