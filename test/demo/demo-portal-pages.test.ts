/**
 * The demo portal's own promises, through stepgate as `npm run dev` runs it: pages a newcomer
 * can use (labelled fields, one heading, links to stepgate's security pages), a favicon, and
 * forms that redirect to a receipt so a reload never moves money twice.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { demoPolicy } from "../../demo/tenant";
import { aTenant, send } from "../support/builders";

const form = { "Content-Type": "application/x-www-form-urlencoded" };

/** A new customer of the demo portal behind a fresh demo tenant. */
async function aCustomer(
  name: string,
): Promise<{ base: string; get: (path: string) => Promise<Response>; post: (path: string, body: string) => Promise<Response> }> {
  const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
  const user = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const signedIn = await send(`${base}/login`, { method: "POST", headers: form, body: `username=${user}&password=x` });
  const cookie = signedIn.headers
    .getSetCookie()
    .find((c) => c.startsWith("portal_session="))!
    .split(";")[0]!;
  return {
    base,
    get: (path) => send(`${base}${path}`, { headers: { Cookie: cookie, Accept: "text/html" } }),
    post: (path, body) => send(`${base}${path}`, { method: "POST", headers: { ...form, Cookie: cookie }, body }),
  };
}

const cashBalance = async (get: (path: string) => Promise<Response>) =>
  /<p class="balance"(?: id="cash-balance")?>([^<]*)<\/p>/.exec(await (await get("/")).text())![1];

describe("the demo portal's pages", () => {
  it("serves its favicon, an SVG, to anyone", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const response = await send(`${base}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await response.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it("gives the demo tenant's hosted pages its logo, in the header and as the tab's icon, served by the portal", async () => {
    const { get } = await aCustomer("logo");
    const logoUrl = `${new URL(env.DEMO_ORIGIN).origin}/logo.svg`;
    const enrol = await (await get("/__stepgate/enroll")).text();
    expect(enrol).toContain(`<link rel="icon" href="${logoUrl}"/>`);
    expect(enrol).toContain(`<header><img src="${logoUrl}" alt=""/>`);
    const logo = await fetch(logoUrl);
    expect(logo.status).toBe(200);
    expect(logo.headers.get("Content-Type")).toBe("image/svg+xml");
  });

  it("links Security and Set up 2FA to stepgate's own pages, which answer the signed-in user", async () => {
    const { get } = await aCustomer("nav");
    const home = await (await get("/")).text();
    expect(home).toContain('<a href="/__stepgate/settings">Security</a>');
    expect(home).toContain('<a href="/__stepgate/enroll">Set up 2FA</a>');
    expect((await get("/__stepgate/settings")).status).toBe(200);
    expect((await get("/__stepgate/enroll")).status).toBe(200);
  });

  it.each(["/", "/wallet", "/wallet/deposit", "/wallet/withdraw", "/wallet/transfer", "/account"])(
    "has %s in English, for phones, with one heading and every field labelled",
    async (path) => {
      const { get } = await aCustomer("page");
      const response = await get(path);
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(page).toContain('<html lang="en">');
      expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
      expect(page.match(/<h1>/g)).toHaveLength(1);
      const ids = [...page.matchAll(/<(?:input|select) id="([^"]+)"/g)].map((match) => match[1]);
      expect(ids.length).toBe((page.match(/<(?:input|select) /g) ?? []).length);
      for (const id of ids) expect(page).toContain(`<label for="${id}">`);
    },
  );

  it("answers a form that goes through with 303 to its receipt, which a reload shows again without moving money twice", async () => {
    const { get, post } = await aCustomer("prg");
    expect(await cashBalance(get)).toBe("$25,000.00");
    const deposited = await post("/wallet/deposit", "amount=100.50&currency=USD");
    expect(deposited.status).toBe(303);
    const receipt = deposited.headers.get("Location")!;
    const first = await (await get(receipt)).text();
    expect(first).toContain("<h1>Deposit received</h1>");
    expect(first).toContain("&quot;amount&quot;: &quot;100.50&quot;");
    expect(await (await get(receipt)).text()).toBe(first);
    expect(await cashBalance(get)).toBe("$25,100.50");
  });

  it("refuses an amount it cannot read, or more than the balance, with the form again (422) and nothing moved", async () => {
    const { get, post } = await aCustomer("refused");
    const unreadable = await post("/wallet/withdraw", "amount=ten&currency=USD&destination=IBAN%20DE89");
    expect(unreadable.status).toBe(422);
    const page = await unreadable.text();
    expect(page).toContain('<p class="error" role="alert" id="withdraw-error">');
    expect(page).toMatch(
      /id="withdraw-amount" name="amount" type="text" value="ten"[^>]* aria-describedby="withdraw-error withdraw-amount-hint" aria-invalid="true"/,
    );
    const tooMuch = await post("/wallet/transfer", "amount=25000.01&currency=USD&to=ACC-2002");
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.text()).toContain("Not enough USD: the balance is $25,000.00.");
    expect(await cashBalance(get)).toBe("$25,000.00");
  });

  it("shows a receipt to the customer it belongs to only", async () => {
    const alice = await aCustomer("alice");
    const receipt = (await alice.post("/account/email", "email=alice%40example.com")).headers.get("Location")!;
    expect((await alice.get(receipt)).status).toBe(200);
    const mallory = await aCustomer("mallory");
    expect((await send(`${mallory.base}${receipt}`)).status).toBe(303);
    expect((await mallory.get(receipt)).status).toBe(404);
  });
});
