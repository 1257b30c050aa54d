/**
 * The language of the hosted pages: the language menu's choice (kept in a cookie), then the
 * session's language claim, then the browser's Accept-Language among the tenant's languages,
 * then the tenant's default; each wins over the next. Arabic is written right to left with
 * codes and addresses kept left to right.
 */
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";

const browser = { Accept: "text/html" };

function languagePolicy(branding: Partial<PolicyInput["branding"]> = {}): PolicyInput {
  const base = aPolicy();
  return aPolicy({
    enforcement: "required",
    identity: { ...base.identity, claims: { locale: "locale" } } as PolicyInput["identity"],
    branding: { name: "Acme", ...branding },
  });
}

/** The enrolment page's `<html lang dir>` for a session with `claims` and these request headers. */
async function pageLanguage(
  base: string,
  headers: Record<string, string> = {},
  claims: object = {},
  query = "",
): Promise<{ lang: string; dir: string; response: Response; html: string }> {
  const session = `portal_session=${await aSession({ sub: `u-${crypto.randomUUID()}`, ...claims })}`;
  const cookie = headers.Cookie ? `${session}; ${headers.Cookie}` : session;
  const response = await send(`${base}/__stepgate/enroll${query}`, { headers: { ...browser, ...headers, Cookie: cookie } });
  expect(response.status).toBe(200);
  const html = await response.text();
  const [, lang, dir] = /<html lang="([^"]+)" dir="([^"]+)">/.exec(html) ?? [];
  return { lang: lang!, dir: dir!, response, html };
}

describe("the language of a hosted page", () => {
  it("is the tenant's default when nothing else chooses one", async () => {
    expect((await pageLanguage((await aTenant(languagePolicy())).base)).lang).toBe("en");
    expect((await pageLanguage((await aTenant(languagePolicy({ defaultLanguage: "fr" }))).base)).lang).toBe("fr");
  });

  it("follows Accept-Language among the tenant's languages, over the default", async () => {
    const { base } = await aTenant(languagePolicy({ languages: ["en", "fr", "ja", "pt-BR", "zh-CN"], defaultLanguage: "fr" }));
    expect((await pageLanguage(base, { "Accept-Language": "de-AT,de;q=0.9,ja;q=0.5" })).lang).toBe("ja");
    expect((await pageLanguage(base, { "Accept-Language": "pt-PT" })).lang).toBe("pt-BR");
    expect((await pageLanguage(base, { "Accept-Language": "zh-Hans-CN,zh;q=0.9" })).lang).toBe("zh-CN");
    expect((await pageLanguage(base, { "Accept-Language": "de" })).lang).toBe("fr");
  });

  it("follows the session's language claim over Accept-Language", async () => {
    const { base } = await aTenant(languagePolicy());
    expect((await pageLanguage(base, { "Accept-Language": "de" }, { locale: "pt_BR" })).lang).toBe("pt-BR");
    // A claim in no language of the tenant's is passed over.
    expect((await pageLanguage(base, { "Accept-Language": "de" }, { locale: "nl-NL" })).lang).toBe("de");
  });

  it("follows the language menu's cookie over the claim", async () => {
    const { base } = await aTenant(languagePolicy());
    expect((await pageLanguage(base, { "Accept-Language": "de", Cookie: "__Host-stepgate-lang=ja" }, { locale: "fr" })).lang).toBe("ja");
  });

  it("follows a choice in the language menu over the cookie, and keeps it in the cookie", async () => {
    const { base } = await aTenant(languagePolicy());
    const chosen = await pageLanguage(base, { Cookie: "__Host-stepgate-lang=ja" }, { locale: "fr" }, "?lang=ar");
    expect(chosen).toMatchObject({ lang: "ar", dir: "rtl" });
    const cookie = chosen.response.headers.getSetCookie().find((c) => c.startsWith("__Host-stepgate-lang="))!;
    expect(cookie).toMatch(/^__Host-stepgate-lang=ar; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  });

  it("takes no choice of a language the tenant does not offer", async () => {
    const { base } = await aTenant(languagePolicy({ languages: ["en", "de"] }));
    const page = await pageLanguage(base, { Cookie: "__Host-stepgate-lang=ja" }, {}, "?lang=fr");
    expect(page.lang).toBe("en");
    expect(page.response.headers.getSetCookie().some((c) => c.startsWith("__Host-stepgate-lang="))).toBe(false);
  });

  it("offers the tenant's languages in a menu of links to the same page, each by its own name", async () => {
    const { base } = await aTenant(languagePolicy({ languages: ["en", "de", "ar"] }));
    const { html } = await pageLanguage(base, {}, {}, "?factor=totp");
    const links = [...html.matchAll(/<a href="([^"]+)" lang="([^"]+)" hreflang="[^"]+" dir="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(links).toEqual([
      ["/__stepgate/enroll?factor=totp&amp;lang=en", "en", "ltr", "English"],
      ["/__stepgate/enroll?factor=totp&amp;lang=de", "de", "ltr", "Deutsch"],
      ["/__stepgate/enroll?factor=totp&amp;lang=ar", "ar", "rtl", "العربية"],
    ]);
  });
});

describe("a page in Arabic", () => {
  it("is written right to left, with the address, the code's field and the values approved kept left to right", async () => {
    const { base } = await aTenant(
      aPolicy({
        enforcement: "required",
        factors: { sms: { enabled: true } },
        operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["iban"] } },
      }),
    );
    const cookie = `portal_session=${await aSession({ sub: "rtl" })}; __Host-stepgate-lang=ar`;
    const form = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "iban=DE00%201234",
    });
    expect(form.status).toBe(303);
    const enroll = form.headers.get("Location")!;
    const page = await (await send(`${base}${enroll}&factor=sms`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(page).toContain('<html lang="ar" dir="rtl">');
    expect(page).toContain("<dd><bdi>DE00 1234</bdi></dd>");
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const sent = await send(`${base}/__stepgate/enroll/sms`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, address: "+14155552671", challenge: /name="challenge" value="([^"]+)"/.exec(page)![1]! }).toString(),
    });
    expect(sent.status).toBe(303);
    const html = await (await send(`${base}${sent.headers.get("Location")}`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(html).toContain('<strong><bdi dir="ltr">+1••••••2671</bdi></strong>');
    // The layout's CSS mirrors with the direction (logical properties); codes and inputs stay left to right.
    expect(html).toMatch(/\.secret,ol\.codes,input\{direction:ltr\}/);
    expect(html).not.toMatch(/(margin|padding)-(left|right)|text-align:(left|right)/);
  });
});

describe("a tenant's own wording", () => {
  it("replaces the catalogue's on the page, in its language only", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required", operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } } }));
    const policy = aPolicy({
      enforcement: "required",
      operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } },
      branding: { text: { de: { "challenge.title": "{operation} freigeben", "op.statements": "Kontoauszüge" } } },
    });
    const { base: worded } = await aTenant(policy);
    for (const [tenant, title] of [
      [base, "statements bestätigen"],
      [worded, "Kontoauszüge freigeben"],
    ] as const) {
      const token = await aSession({ sub: `w-${crypto.randomUUID()}` });
      await enrollTotpViaApi(tenant, token);
      const headers = { ...browser, Cookie: `portal_session=${token}`, "Accept-Language": "de" };
      const challenge = (await send(`${tenant}/echo/statements`, { headers })).headers.get("Location")!;
      expect(await (await send(`${tenant}${challenge}`, { headers })).text()).toContain(`<h1>${title}</h1>`);
    }
  });

  it("is passed over where it lost a placeholder (a policy written to KV by hand is not checked on write)", async () => {
    const { base } = await aTenant(
      aPolicy({
        enforcement: "required",
        operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } },
        branding: { text: { en: { "challenge.title": "Approve it" } } },
      }),
    );
    const token = await aSession({ sub: "hand" });
    await enrollTotpViaApi(base, token);
    const headers = { ...browser, Cookie: `portal_session=${token}` };
    const challenge = (await send(`${base}/echo/statements`, { headers })).headers.get("Location")!;
    expect(await (await send(`${base}${challenge}`, { headers })).text()).toContain("<h1>Confirm statements</h1>");
  });
});

describe("times on the settings page", () => {
  it("are written for the page's language in the visitor's time zone, which the page names; UTC when Cloudflare gives none", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required" }));
    const token = await aSession({ sub: "tz" });
    await enrollTotpViaApi(base, token);
    const headers = { ...browser, Cookie: `portal_session=${token}`, "Accept-Language": "ja" };
    const tokyo = await (await send(`${base}/__stepgate/settings`, { headers, cf: { timezone: "Asia/Tokyo" } } as RequestInit)).text();
    expect(tokyo).toContain("(Asia/Tokyo)");
    expect(tokyo).toMatch(/<time datetime="[^"]+">\d{4}\/\d{2}\/\d{2} \d{1,2}:\d{2}<\/time>/);
    const utc = await (await send(`${base}/__stepgate/settings`, { headers })).text();
    expect(utc).toContain("協定世界時 (UTC)");
  });
});
