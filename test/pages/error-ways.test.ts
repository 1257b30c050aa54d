import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
const statements = { statements: { routes: ["GET /echo/statements"], maxAge: 600 } };

describe("an error page always offers a way on", () => {
  it("asks a visitor without a session to sign in to the portal, and offers the page they came from", async () => {
    const { base } = await aTenant(aPolicy({ branding: { name: "Acme" }, operations: statements }));
    const page = await send(`${base}/echo/statements`, { headers: { ...browser, Referer: `${base}/wallet?tab=1` } });
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('<a href="/">Sign in to Acme</a>');
    expect(html).toContain('<a href="/wallet?tab=1">Back to the previous page</a>');
  });

  it("links the portal's own home page when the policy names one", async () => {
    const { base } = await aTenant(aPolicy({ branding: { name: "Acme", portalUrl: "https://www.acme.test/home" }, operations: statements }));
    const html = await (await send(`${base}/echo/statements`, { headers: browser })).text();
    expect(html).toContain('<a href="https://www.acme.test/home">Sign in to Acme</a>');
    expect(html).not.toContain("Back to the previous page");
  });

  it("goes to the portal from a missing challenge, and never back to another site or a path a browser reads as one", async () => {
    const { base } = await aTenant(aPolicy({ branding: { name: "Acme" } }));
    const cookie = `portal_session=${await aSession()}`;
    for (const referer of ["https://evil.example/wallet", `${base}//evil.example/x`, `${base}/__stepgate/challenge/${"x".repeat(22)}`]) {
      const page = await send(`${base}/__stepgate/challenge/${"x".repeat(22)}`, { headers: { ...browser, Cookie: cookie, Referer: referer } });
      expect(page.status).toBe(404);
      const html = await page.text();
      expect(html).toContain('<a href="/">Go to Acme</a>');
      expect(html, referer).not.toContain("Back to the previous page");
    }
  });

  it("refuses a portal link that is not https", async () => {
    const { base } = await aTenant(aPolicy({ branding: { name: "Acme", portalUrl: "http://www.acme.test/" } }));
    // The stored policy is invalid: protected requests fail closed (503) rather than link an http page.
    const refused = await send(`${base}/wallet/withdraw`, { method: "POST", headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(refused.status).toBe(503);
    expect(await refused.text()).not.toContain("http://www.acme.test/");
  });

  it("keeps the tenant's look and its portal when only another part of its policy is broken, and offers to load a page again", async () => {
    const policy = aPolicy({ branding: { name: "Acme", color: "#7a2e8e", portalUrl: "https://www.acme.test/home" }, operations: statements });
    const { base } = await aTenant({ ...policy, enforcement: "sometimes" as never });
    const page = await send(`${base}/echo/statements?month=5`, { headers: { ...browser, "Accept-Language": "de" } });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('<html lang="de" dir="ltr">');
    expect(html).toContain("<strong>Acme</strong>");
    expect(html).toContain("--brand:#7a2e8e");
    expect(html).toContain('<a href="https://www.acme.test/home">Zu Acme</a>');
    expect(html).toContain('<a href="/echo/statements?month=5">Erneut versuchen</a>');
  });

  it("offers to load a page again that failed on the server's side even when nothing of the tenant's can be read, but never to send a form again", async () => {
    const { base } = await aTenant("{ not json");
    const page = await send(`${base}/echo/statements`, { headers: browser });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).not.toContain("<header>");
    expect(html).toContain('<a href="/echo/statements">Try again</a>');
    const form = await send(`${base}/echo/statements`, {
      method: "POST",
      headers: { ...browser, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    expect(form.status).toBe(503);
    expect(await form.text()).not.toContain(">Try again</a>");
    // Nor a page that loading again cannot mend (a challenge that does not exist).
    const { base: valid } = await aTenant(aPolicy({ branding: { name: "Acme" } }));
    const missing = await send(`${valid}/__stepgate/challenge/${"x".repeat(22)}`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain(">Try again</a>");
  });
});
