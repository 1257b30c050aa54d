/**
 * What the user approves, through the worker: labels and amounts in the user's language, the
 * same on the challenge page, in the challenge JSON and in the text that carries the code;
 * absent fields left out, and a request without a required one refused before any challenge.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { codeIn, outbox, timePasses } from "../support/outbox";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const LABELLED: PolicyInput["operations"] = {
  withdraw: {
    routes: ["POST /echo/withdraw"],
    maxAge: 0,
    display: [
      { field: "amount", label: { en: "Amount", de: "Betrag", ja: "金額", ar: "المبلغ" }, format: "money", currencyField: "currency", required: true },
      { field: "/to/iban", label: { en: "To IBAN", de: "An IBAN" }, format: "iban" },
      { field: "/to/name", label: "Payee" },
      "memo",
    ],
  },
};

const policyIn = (defaultLanguage: "en" | "de" | "ja" | "ar") =>
  aPolicy({ operations: LABELLED, factors: { sms: { enabled: true } }, branding: { languages: ["en", "de", "ja", "ar"], defaultLanguage } });

async function challengeJson(base: string, token: string, challengeId: string) {
  const response = await send(`${base}/__stepgate/api/challenges/${challengeId}`, { headers: { Cookie: `portal_session=${token}` } });
  return (await response.json<{ approving: Array<{ field: string; value: string; label: string; formatted: string }> }>()).approving;
}

async function challengePage(base: string, token: string, challengeId: string, language: string) {
  const headers = { Accept: "text/html", Cookie: `portal_session=${token}; __Host-stepgate-lang=${language}` };
  return (await send(`${base}/__stepgate/challenge/${challengeId}`, { headers })).text();
}

async function stopped(base: string, token: string, body: unknown): Promise<string> {
  const response = await postJson(`${base}/echo/withdraw`, token, body);
  expect(response.status).toBe(401);
  return (await response.json<{ challengeId: string }>()).challengeId;
}

const challengeCount = (tenantId: string, user: string) =>
  runInDurableObject(userState(env, tenantId, user), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM challenges").one().n);

describe("what you approve, in your language", () => {
  it("shows the amount as money with every digit sent, labelled, on the page and in the JSON", async () => {
    const { base } = await aTenant(policyIn("de"));
    const token = await aSession({ sub: "uma" });
    await enrollTotpViaApi(base, token);
    const challengeId = await stopped(base, token, { amount: "1234.567", currency: "EUR", to: { iban: "DE89370400440532013000", name: "Bob" } });

    expect(await challengeJson(base, token, challengeId)).toEqual([
      { field: "amount", value: "1234.567", label: "Betrag", formatted: "1.234,567\u00a0€" },
      { field: "to.iban", value: "DE89370400440532013000", label: "An IBAN", formatted: "DE89 3704 0044 0532 0130 00" },
      { field: "to.name", value: "Bob", label: "Payee", formatted: "Bob" },
    ]);
    const german = await challengePage(base, token, challengeId, "de");
    expect(german).toContain("<dt>Betrag</dt><dd>1.234,567\u00a0€</dd>");
    expect(german).toContain("<dt>An IBAN</dt><dd>DE89 3704 0044 0532 0130 00</dd>");
    const english = await challengePage(base, token, challengeId, "en");
    expect(english).toContain("<dt>Amount</dt><dd>€1,234.567</dd>");
    const japanese = await challengePage(base, token, challengeId, "ja");
    expect(japanese).toContain("<dt>金額</dt><dd>€1,234.567</dd>");
    // No Japanese label for the IBAN: the English one.
    expect(japanese).toContain("<dt>To IBAN</dt>");
    const arabic = await challengePage(base, token, challengeId, "ar");
    const shown = /<dt>المبلغ<\/dt><dd><bdi>([^<]+)<\/bdi><\/dd>/.exec(arabic)?.[1];
    expect(shown?.replace(/\D/g, "")).toBe("1234567");
  });

  it("shows an amount that is not a plain decimal number as sent, never guessed at", async () => {
    const { base } = await aTenant(policyIn("de"));
    const token = await aSession({ sub: "val" });
    await enrollTotpViaApi(base, token);
    const challengeId = await stopped(base, token, { amount: "1,234.56", currency: "EUR" });
    expect(await challengeJson(base, token, challengeId)).toEqual([{ field: "amount", value: "1,234.56", label: "Betrag", formatted: "1,234.56" }]);
    expect(await challengePage(base, token, challengeId, "de")).toContain("<dt>Betrag</dt><dd>1,234.56</dd>");
  });

  it("leaves out a field the request does not carry, on the page, in the JSON and in the text", async () => {
    const { base, tenantId } = await aTenant(policyIn("de"));
    const token = await aSession({ sub: "wes" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: "+14155550177" });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const enrollCode = codeIn((await outbox(base)).find((m) => m.to === "+14155550177")!.text);
    expect((await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: enrollCode })).status).toBe(200);
    const challengeId = await stopped(base, token, { amount: 75.5, currency: "EUR" });

    expect((await challengeJson(base, token, challengeId)).map((f) => f.field)).toEqual(["amount"]);
    const page = await challengePage(base, token, challengeId, "de");
    expect(page).toContain("<dt>Betrag</dt><dd>75,5\u00a0€</dd>");
    expect(page).not.toContain("IBAN");
    expect(page).not.toContain("absent");
    await timePasses(tenantId, "wes", 120_000); // past the enrolment text's resend cooldown
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, token, { factor: "sms" })).status).toBe(202);
    const text = (await outbox(base)).find((m) => m.to === "+14155550177")!.text; // the newest first
    expect(text).toContain("(Betrag 75,5\u00a0€)");
    expect(text).not.toContain("absent");
    expect(text).not.toContain("memo");
  });

  it("refuses a request without a required field, naming it, and opens no challenge", async () => {
    const { base, tenantId } = await aTenant(policyIn("en"));
    const token = await aSession({ sub: "xia" });
    await enrollTotpViaApi(base, token);
    const before = await challengeCount(tenantId, "xia");
    const refused = await postJson(`${base}/echo/withdraw`, token, { currency: "EUR", to: { iban: "DE89" } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Content-Type")).toContain("application/problem+json");
    expect(await refused.json()).toMatchObject({ code: "display_field_missing", field: "amount" });
    expect(await challengeCount(tenantId, "xia")).toBe(before);
    // A browser's form gets the page, naming the field too, in the page's language.
    const page = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, Accept: "text/html", "Accept-Language": "de", "Content-Type": "application/x-www-form-urlencoded" },
      body: "currency=EUR",
    });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("In diesem Auftrag fehlt „amount“, das Sie sehen müssen, um ihn zu bestätigen.");
  });

  it("holds the currency an amount is shown in to the one-reading rules, as a displayed field", async () => {
    const { base } = await aTenant(policyIn("en"));
    const token = await aSession({ sub: "yan" });
    await enrollTotpViaApi(base, token);
    // Rails and PHP merge the query into the body: the origin could pay in USD what reads as EUR.
    const refused = await postJson(`${base}/echo/withdraw?currency=USD`, token, { amount: "10", currency: "EUR" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "ambiguous_request" });
  });
});
