/**
 * What the challenge page's title says: a built-in operation's own human title in the page's
 * language ("Confirm your withdrawal", "Verify it's you"), a tenant's operation "Confirm
 * {operation}" with its name; a tenant may reword a built-in title, and a built-in operation
 * it renamed is confirmed by its new name unless it also gave the title.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Language } from "../../src/config/languages";
import type { PolicyInput } from "../../src/config/policy-schema";
import { loadPageWords } from "../../src/pages/i18n/catalogue";
import { pageText } from "../../src/pages/i18n/page-text";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";

const browser = { Accept: "text/html" };
// Not bound to the request: the page is reached by a plain GET (held and bound requests have their own tests).
const operations = {
  withdraw: { routes: ["GET /echo/withdraw"], maxAge: 600, bindRequest: false },
  manage_factors: { routes: ["GET /echo/security"], maxAge: 600, bindRequest: false },
  statements: { routes: ["GET /echo/statements"], maxAge: 600 },
};
const PATHS = { withdraw: "/echo/withdraw", manage_factors: "/echo/security", statements: "/echo/statements" } as const;

/** The challenge page's `<h1>` for `operation`, for a user whose browser asks for `language`. */
async function titleOf(base: string, token: string, operation: keyof typeof PATHS, language: Language): Promise<string> {
  const headers = { ...browser, Cookie: `portal_session=${token}`, "Accept-Language": language };
  const stopped = await send(`${base}${PATHS[operation]}`, { headers });
  expect(stopped.status).toBe(303);
  const html = await (await send(`${base}${stopped.headers.get("Location")}`, { headers })).text();
  const title = /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
  expect(title, `the h1 of ${operation} in ${language}`).toBeDefined();
  return title!.replace(/&#39;/g, "'");
}

async function enrolledUser(policy: PolicyInput): Promise<{ base: string; token: string }> {
  const { base } = await aTenant(policy);
  const token = await aSession({ sub: `t-${crypto.randomUUID()}` });
  await enrollTotpViaApi(base, token);
  return { base, token };
}

describe("the challenge page's title", () => {
  it.each([
    ["en", "Confirm your withdrawal", "Confirm changes to your security settings", "Confirm statements"],
    ["de", "Auszahlung bestätigen", "Änderungen an Ihren Sicherheitseinstellungen bestätigen", "statements bestätigen"],
    ["ja", "出金の確認", "セキュリティ設定の変更の確認", "statementsの確認"],
  ] as const)("in %s names a built-in operation in its own words, a tenant's by its name", async (language, withdraw, manageFactors, statements) => {
    const { base, token } = await enrolledUser(aPolicy({ enforcement: "required", branding: { languages: ["en", "de", "ja"] }, operations }));
    expect(await titleOf(base, token, "withdraw", language)).toBe(withdraw);
    expect(await titleOf(base, token, "manage_factors", language)).toBe(manageFactors);
    expect(await titleOf(base, token, "statements", language)).toBe(statements);
  });

  it("for login asks the user to show it's them, in every language its words are in", async () => {
    for (const [language, title] of [
      ["en", "Verify it's you"],
      ["de", "Bestätigen Sie, dass Sie es sind"],
      ["ja", "ご本人確認"],
    ] as const) {
      expect(await loadPageWords(env, language)).toBe(language);
      expect(pageText(language).operationTitle("login")).toBe(title);
    }
  });

  it("is the tenant's where it rewords a built-in title, and follows a built-in operation the tenant renamed", async () => {
    const branding = {
      languages: ["en", "de"] as Language[],
      text: {
        de: { "challenge.title.withdraw": "Ihre Auszahlung freigeben", "op.statements": "Kontoauszüge" },
        en: { "op.withdraw": "payout", "op.manage_factors": "security update", "challenge.title.manage_factors": "Approve the security update" },
      },
    };
    const { base, token } = await enrolledUser(aPolicy({ enforcement: "required", branding, operations }));
    expect(await titleOf(base, token, "withdraw", "de")).toBe("Ihre Auszahlung freigeben");
    expect(await titleOf(base, token, "statements", "de")).toBe("Kontoauszüge bestätigen");
    expect(await titleOf(base, token, "withdraw", "en")).toBe("Confirm payout");
    expect(await titleOf(base, token, "manage_factors", "en")).toBe("Approve the security update");
  });
});
