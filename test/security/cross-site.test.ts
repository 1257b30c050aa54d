/**
 * Another site cannot steer a user through stepgate (outside review): a protected request its
 * page sends is not held for the user to approve, and a `?lang=` in its link shows a page in
 * that language without choosing the language of the user's later codes.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { rememberedLanguage } from "../../src/state/user/settings";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

const FORM = "application/x-www-form-urlencoded";

async function portal() {
  const { base, tenantId } = await aTenant(aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
  return { base, tenantId, cookie: `portal_session=${await aSession({ sub: "ana" })}` };
}

describe("a request sent from another site", () => {
  it("is refused (403 cross_site_request) before a challenge is opened or the form held", async () => {
    const { base, cookie } = await portal();
    for (const accept of ["text/html", "application/json"]) {
      const response = await send(`${base}/echo/withdraw`, {
        method: "POST",
        headers: { Accept: accept, Cookie: cookie, "Content-Type": FORM, "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" },
        body: "amount=20000&to=ATTACKER",
      });
      expect(response.status, accept).toBe(403);
      expect(response.headers.get("Location")).toBeNull();
      if (accept === "application/json") expect(await response.json()).toMatchObject({ code: "cross_site_request" });
      else expect(await response.text()).toContain("<h1>Request refused</h1>");
    }
  });

  it("is a plain navigation (a link, a sign-on's redirect back) that still goes to its challenge (second outside review)", async () => {
    const { base } = await aTenant(
      aPolicy({ enforcement: "required", operations: { login: { routes: ["GET /echo/wallet"] }, withdraw: { routes: ["GET /echo/withdraw"], maxAge: 0 } } }),
    );
    const cookie = `portal_session=${await aSession({ sub: "ivy" })}`;
    const navigation = { Accept: "text/html", Cookie: cookie, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate" };
    const wallet = await send(`${base}/echo/wallet`, { headers: navigation });
    expect(wallet.status).toBe(303);
    expect(wallet.headers.get("Location")).toMatch(/^\/__stepgate\/(challenge\/|enroll\?)/);
    // A request-bound GET approves its query: from another site, refused.
    expect((await send(`${base}/echo/withdraw?to=ATTACKER`, { headers: navigation })).status).toBe(403);
  });

  it("is held as before from the portal's own page, the same site, or a client that sends no Sec-Fetch-Site", async () => {
    const { base, cookie } = await portal();
    for (const site of ["same-origin", "same-site", null]) {
      const response = await send(`${base}/echo/withdraw`, {
        method: "POST",
        headers: { Accept: "text/html", Cookie: cookie, "Content-Type": FORM, ...(site ? { "Sec-Fetch-Site": site } : {}) },
        body: "amount=20&to=ALICE",
        redirect: "manual",
      });
      expect(response.status, String(site)).toBe(303);
      expect(response.headers.get("Location")).toMatch(/^\/__stepgate\/(challenge\/|enroll\?)/);
    }
  });
});

describe("a language chosen by a link", () => {
  const languageCookies = (response: Response) => response.headers.getSetCookie().filter((c) => c.startsWith("__Host-stepgate-lang="));

  it("from another site shows the page in it, and keeps it in no cookie and not in the user's object", async () => {
    const { base, tenantId, cookie } = await portal();
    const page = await send(`${base}/__stepgate/enroll?lang=th`, { headers: { Accept: "text/html", Cookie: cookie, "Sec-Fetch-Site": "cross-site" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lang="th"');
    expect(languageCookies(page)).toEqual([]);
    expect(await runInDurableObject(userState(env, tenantId, "ana"), (_o, state) => rememberedLanguage(state.storage.sql))).not.toBe("th");
  });

  it("from the language menu is kept, in one cookie, and remembered", async () => {
    const { base, tenantId, cookie } = await portal();
    for (const path of ["/__stepgate/enroll", "/__stepgate/settings"]) {
      const page = await send(`${base}${path}?lang=de`, {
        headers: { Accept: "text/html", Cookie: cookie, "Sec-Fetch-Site": "same-origin" },
        redirect: "manual",
      });
      expect(languageCookies(page), path).toHaveLength(1);
    }
    expect(await runInDurableObject(userState(env, tenantId, "ana"), (_o, state) => rememberedLanguage(state.storage.sql))).toBe("de");
  });
});
