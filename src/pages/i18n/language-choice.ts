/**
 * @module
 * Which language a page is shown in, in this order: the visitor's choice in the language menu
 * (`?lang=`, then kept in a cookie), the portal session's language claim when the policy names
 * one (`identity.claims.locale`), the browser's `Accept-Language` matched against the tenant's
 * `branding.languages`, and last `branding.defaultLanguage`. The query, the cookie and the
 * header are read by `hono/language`'s detectors; the claim sits between them, where its own
 * `order` has no place for it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { setCookie } from "hono/cookie";
import { type DetectorOptions, detectFromCookie, detectFromHeader, detectFromQuery } from "hono/language";
import type { SessionEnv } from "../../app-env";
import { signedInUser } from "../../flows/require-session";
import { isLanguage, type Language, LANGUAGES, languageTagFor, matchLanguage } from "../../config/languages";
import type { Policy } from "../../config/policy-schema";
import { loadPageWords } from "./catalogue";
import { knownTimeZone } from "../../lib/zoned-time";
import { type PageText, pageText } from "./page-text";
import { STEPGATE_COOKIE_PREFIX } from "../../gate/stepgate-cookies";

/** The language menu's choice. `__Host-`: set by this host only, for all of its paths (the gate's pages too). */
export const LANGUAGE_COOKIE = `${STEPGATE_COOKIE_PREFIX}lang`;
const LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

type Branding = Pick<Policy["branding"], "languages" | "defaultLanguage" | "text">;

/** A page with no tenant to ask (the host serves none): every language, English by default. */
const NO_TENANT: Branding = { languages: [...LANGUAGES], defaultLanguage: "en", text: {} };

export type LanguageSource = "menu" | "cookie" | "claim" | "header" | "default";

function detectorOptions(branding: Branding): DetectorOptions {
  return {
    order: ["querystring", "cookie", "header"],
    lookupQueryString: "lang",
    lookupCookie: LANGUAGE_COOKIE,
    lookupFromHeaderKey: "accept-language",
    lookupFromPathIndex: 0,
    caches: false,
    ignoreCase: true,
    fallbackLanguage: branding.defaultLanguage,
    supportedLanguages: [...branding.languages],
    convertDetectedLanguage: languageTagFor,
  };
}

/**
 * The request's language among the tenant's, and what chose it.
 * @example
 * chooseLanguage(c, policy.branding, identity.locale) // { language: "de", source: "header" }
 */
export function chooseLanguage(c: Context, branding: Branding, claimed: string | undefined): { language: Language; source: LanguageSource } {
  const options = detectorOptions(branding);
  const found = (source: LanguageSource, language: string | undefined) => (isLanguage(language) ? { language, source } : null);
  return (
    found("menu", detectFromQuery(c, options)) ??
    found("cookie", detectFromCookie(c, options)) ??
    found("claim", claimed === undefined ? undefined : matchLanguage(claimed, branding.languages)) ??
    found("header", detectFromHeader(c, options)) ?? { language: branding.defaultLanguage, source: "default" }
  );
}

/**
 * Chooses the hosted page's language (after `requireSession`, for the session's claim) into
 * `c.var.language`, keeps a choice made in the language menu in a cookie, and has the user's
 * object remember it and the request's time zone, for what is sent to them later from no page
 * (a code the API asks for, a security alert).
 * @example
 * hostedPages.use("/enroll", requireSession(), languageChoice());
 */
export function languageChoice(): MiddlewareHandler<SessionEnv> {
  return async function languageChoice(c, next) {
    const { language, linkedFromElsewhere } = choosePageLanguage(c, c.var.policy.branding, c.var.identity.locale);
    // Alongside the page's own work, not before it; the page answers whether or not it is kept.
    const zone = (c.req.raw.cf as { timezone?: unknown } | undefined)?.timezone;
    const remembered = linkedFromElsewhere
      ? null
      : signedInUser(c)
          .rememberLanguage(language, knownTimeZone(zone) ? zone : undefined)
          .catch((error: unknown) => console.error("stepgate: the page's language was not remembered", error));
    await next();
    await remembered;
  };
}

/**
 * Chooses the page's language into `c.var.language` and keeps a choice made in the language menu
 * in a cookie, for the next page. `linkedFromElsewhere`: the choice came in a link from another
 * site, which shows this page in it and is kept nowhere (another site must not choose the
 * language a user's codes and warnings are sent in).
 * @example
 * const { language } = choosePageLanguage(c, policy.branding, undefined);
 */
export function choosePageLanguage(c: Context, branding: Branding, claimed: string | undefined): { language: Language; linkedFromElsewhere: boolean } {
  const { language, source } = chooseLanguage(c, branding, claimed);
  c.set("language", language);
  const linkedFromElsewhere = source === "menu" && !sameSiteNavigation(c);
  if (source === "menu" && !linkedFromElsewhere) {
    setCookie(c, LANGUAGE_COOKIE, language, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", maxAge: LANGUAGE_COOKIE_MAX_AGE_SECONDS });
  }
  return { language, linkedFromElsewhere };
}

/**
 * Whether the browser came here from this site's own page (the language menu) or from no page
 * (typed, a bookmark); not from another site. A client that sends no `Sec-Fetch-Site` is no
 * browser another site can steer.
 */
function sameSiteNavigation(c: Context): boolean {
  const site = c.req.header("Sec-Fetch-Site");
  return site === undefined || site === "same-origin" || site === "none";
}

/**
 * The language of the page this request is for (chosen by {@link languageChoice}).
 * @example
 * await sendCode(c, target, "sms", approval, pageLanguage(c));
 */
export function pageLanguage(c: Context<SessionEnv>): Language {
  return requestLanguage(c, c.var.policy.branding, c.var.identity.locale);
}

function requestLanguage(c: Context, branding: Branding, claimed: string | undefined): Language {
  const chosen = c.get("language");
  return isLanguage(chosen) && branding.languages.includes(chosen) ? chosen : chooseLanguage(c, branding, claimed).language;
}

/**
 * The words and formats of the page this request gets: in the language chosen for it (by
 * {@link languageChoice}, or here: an error page or the gate's may come before it), with the
 * tenant's wording, dates in the visitor's time zone, and the language menu on a page that
 * can be loaded again (a `GET`). The language's words are read from the assets the first time
 * an isolate needs them (English, when they cannot be read).
 * @example
 * renderPage(c, <SettingsPage text={await requestText(c, policy)} … />)
 */
export async function requestText(c: Context, policy: Pick<Policy, "branding"> | null, claimed?: string): Promise<PageText> {
  const branding = policy?.branding ?? NO_TENANT;
  const language = await loadPageWords(c.env, requestLanguage(c, branding, claimed));
  const zone = (c.req.raw.cf as { timezone?: unknown } | undefined)?.timezone;
  return pageText(language, {
    overrides: branding.text[language],
    timeZone: knownTimeZone(zone) ? zone : "UTC",
    menu: c.req.method === "GET" && branding.languages.length > 1 ? menuLinks(c.req.url, branding.languages) : null,
  });
}

/** This page's address in each language: the same path and query, `lang` set. */
function menuLinks(url: string, languages: readonly Language[]) {
  const here = new URL(url);
  return languages.map((language) => {
    here.searchParams.set("lang", language);
    return { language, href: `${here.pathname}${here.search}` };
  });
}
