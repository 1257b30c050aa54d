/**
 * A code goes out in the user's language: the language of the page that asked for it, and,
 * asked for through the API, the language the user last used a page in, which their Durable
 * Object remembers.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { rememberedLanguage } from "../../src/state/user/settings";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { outbox, timePasses } from "../support/outbox";
import { challengeFor, postJson } from "../support/step-up";

const PHONE = "+14155552671";
const browser = { Accept: "text/html" };

/** Each language's text message marked by the tenant's own wording, so the test reads which one went out. */
const marked = Object.fromEntries(
  ["en", "de", "ja"].map((language) => [
    language,
    { "code.sms": `[${language}] {code} {tenant} {duration}`, "code.smsApproving": `[${language}] {code} {tenant} {approves} {duration}` },
  ]),
);

async function enrolledByApi(sub: string) {
  const { base, tenantId } = await aTenant(
    aPolicy({
      enforcement: "required",
      factors: { sms: { enabled: true } },
      operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
      branding: { text: marked },
    }),
  );
  const token = await aSession({ sub });
  const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE });
  const { enrollmentId } = await started.json<{ enrollmentId: string }>();
  const [first] = await outbox(base);
  // Before any page was used: the tenant's default.
  expect(first!.text).toMatch(/^\[en\] \d{6} /);
  const code = /\d{6}/.exec(first!.text)![0];
  expect((await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code })).status).toBe(200);
  await timePasses(tenantId, sub, 31_000);
  return { base, tenantId, token };
}

describe("the language a code is sent in", () => {
  it("is the one the user last used a page in, when the API asks for the code", async () => {
    const { base, tenantId, token } = await enrolledByApi("lea");
    const page = await send(`${base}/__stepgate/enroll?lang=ja`, { headers: { ...browser, Cookie: `portal_session=${token}` } });
    expect(page.status).toBe(200);
    expect(await runInDurableObject(userState(env, tenantId, "lea"), (_o, state) => rememberedLanguage(state.storage.sql))).toBe("ja");

    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, token, { factor: "sms" })).status).toBe(202);
    expect((await outbox(base))[0]!.text).toMatch(/^\[ja\] \d{6} /);
  });

  it("is the page's own when a page asks for it, and that page's language is remembered", async () => {
    const { base, tenantId, token } = await enrolledByApi("max");
    const cookie = `portal_session=${token}`;
    const challengePath = `/__stepgate/challenge/${await challengeFor(`${base}/echo/withdraw`, token)}`;
    const page = await (await send(`${base}${challengePath}?factor=sms`, { headers: { ...browser, Cookie: cookie, "Accept-Language": "de-CH" } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const sent = await send(`${base}${challengePath}/send`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, Origin: base, "Accept-Language": "de-CH", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, factor: "sms" }).toString(),
    });
    expect(sent.status).toBe(303);
    expect((await outbox(base))[0]!.text).toMatch(/^\[de\] \d{6} /);
    expect(await runInDurableObject(userState(env, tenantId, "max"), (_o, state) => rememberedLanguage(state.storage.sql))).toBe("de");
  });

  it("speaks the catalogue's words of that language when the tenant wrote none", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required", factors: { sms: { enabled: true } }, branding: { name: "Acme" } }));
    const token = await aSession({ sub: "yui" });
    expect((await send(`${base}/__stepgate/enroll?lang=ja`, { headers: { ...browser, Cookie: `portal_session=${token}` } })).status).toBe(200);
    expect((await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE })).status).toBe(201);
    expect((await outbox(base))[0]!.text).toMatch(/^Acmeの確認コードは\d{6}です。有効期限は5 分です。誰にも教えないでください。$/);
  });
});
