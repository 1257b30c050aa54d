/**
 * The pages' look that HTML can show: light, dark or the visitor's own scheme as the policy's
 * `branding.mode` says; the tenant's logo as the tab's icon, else stepgate's own (never a
 * request the host may answer 404); the enrolment choices as whole-card links with a way back.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, adminHeaders, send } from "../support/builders";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
const LOGO = "https://cdn.acme.test/logo.svg";

async function enrolChoice(branding: object, path = "/__stepgate/enroll"): Promise<string> {
  const { base } = await aTenant(aPolicy({ branding: { name: "Acme", ...branding }, factors: { sms: { enabled: true }, email: { enabled: true } } }));
  const page = await send(`${base}${path}`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
  expect(page.status).toBe(200);
  return page.text();
}

describe("light and dark", () => {
  it("follows the visitor's scheme by default: both palettes, the dark one under prefers-color-scheme", async () => {
    const html = await enrolChoice({});
    expect(html).toContain('<meta name="color-scheme" content="light dark"/>');
    expect(html).toMatch(
      /<style nonce="[^"]+">:root\{color-scheme:light;--bg:#f6f8fa;.*@media \(prefers-color-scheme:dark\)\{:root\{color-scheme:dark;--bg:#0d1117;/,
    );
  });

  it("keeps one scheme for every visitor when the tenant sets light or dark", async () => {
    for (const mode of ["light", "dark"] as const) {
      const html = await enrolChoice({ mode });
      expect(html).toContain(`<meta name="color-scheme" content="${mode}"/>`);
      expect(html).toContain(`:root{color-scheme:${mode};`);
      expect(html).not.toContain("prefers-color-scheme");
    }
  });

  it("refuses a mode that is not light, dark or auto, naming the field", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": "*", "Content-Type": "application/merge-patch+json" }),
      body: JSON.stringify({ branding: { mode: "sepia" } }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ pointer: "#/branding/mode" }] });
  });

  it("gives an error page the tenant's look, and an unknown host's the defaults without a tenant's name", async () => {
    const { base } = await aTenant(aPolicy({ branding: { name: "Acme", mode: "dark", logoUrl: LOGO } }));
    const tenantError = await send(`${base}/__stepgate/challenge/${"x".repeat(22)}`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(tenantError.status).toBe(404);
    const html = await tenantError.text();
    expect(html).toContain('<meta name="color-scheme" content="dark"/>');
    expect(html).toContain(`<header><img src="${LOGO}" alt=""/><strong>Acme</strong>`);

    const unknown = await send("https://nobody.portal.test/anything", { headers: browser });
    expect(unknown.status).toBe(421);
    const bare = await unknown.text();
    expect(bare).toContain('<meta name="color-scheme" content="light dark"/>');
    expect(bare).toContain("--brand:#1f6feb");
    expect(bare).not.toContain("<header>");
  });
});

describe("the tab's icon", () => {
  it("is the tenant's logo when there is one", async () => {
    expect(await enrolChoice({ logoUrl: LOGO })).toContain(`<link rel="icon" href="${LOGO}"/>`);
  });

  it("is stepgate's own otherwise, which answers for any host, so the browser asks the host for no /favicon.ico", async () => {
    expect(await enrolChoice({})).toContain('<link rel="icon" href="/__stepgate/favicon.svg"/>');
    const { base } = await aTenant();
    for (const origin of [base, "https://nobody.portal.test"]) {
      const icon = await send(`${origin}/__stepgate/favicon.svg`);
      expect(icon.status, origin).toBe(200);
      expect(icon.headers.get("Content-Type")).toBe("image/svg+xml");
      expect(icon.headers.get("Cache-Control")).toBe("public, max-age=86400");
      expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
  });
});

describe("choosing a factor", () => {
  it("makes each factor one link holding its name and hint, and leads back to the settings", async () => {
    const html = await enrolChoice({});
    const cards = [...html.matchAll(/<a class="card choice" href="([^"]+)"><strong>([^<]+)<\/strong><span class="muted">([^<]+)<\/span><\/a>/g)];
    expect(cards.map((card) => [card[1], card[2]])).toEqual([
      ["/__stepgate/enroll?factor=totp", "Authenticator app"],
      ["/__stepgate/enroll?factor=sms", "Text message"],
      ["/__stepgate/enroll?factor=email", "Email"],
    ]);
    expect(html).toContain('<a href="/__stepgate/settings">Back to your security settings</a>');
  });

  it("leads back to the portal when the gate sent the user to enrol", async () => {
    const { base } = await aTenant(
      aPolicy({
        enforcement: "required",
        branding: { name: "Acme", portalUrl: "https://www.acme.test/home" },
        factors: { sms: { enabled: true } },
        operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } },
      }),
    );
    const cookie = `portal_session=${await aSession({ sub: "sent" })}`;
    const stopped = await send(`${base}/echo/statements`, { headers: { ...browser, Cookie: cookie } });
    const html = await (await send(`${base}${stopped.headers.get("Location")}`, { headers: { ...browser, Cookie: cookie } })).text();
    expect(html).toMatch(/<a class="card choice" href="\/__stepgate\/enroll\?factor=sms&amp;challenge=[\w-]{22}">/);
    expect(html).toContain('<a href="https://www.acme.test/home">Back to Acme</a>');
    expect(html).not.toContain("Back to your security settings");
  });
});
