/**
 * The hosted pages' look in a real browser: light and dark, as the visitor's device asks
 * (`branding.mode` auto) and as the tenant fixes it; axe-core finds no violation (contrast
 * among them) on a representative page of each kind; the QR code still scans on a dark page;
 * the enrolment choices are whole cards a keyboard reaches; and no page load asks for anything
 * that is not there (the favicon among them).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser-support";
import { startDevServer, type DevServer } from "./dev-server";

/** axe-core, run in the page through the DevTools protocol: the page's CSP allows no script of ours. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** The page backgrounds of src/pages/theme.ts, as the browser computes them. */
const BACKGROUND = { light: "rgb(246, 248, 250)", dark: "rgb(13, 17, 23)" } as const;
const MISSING_CHALLENGE = `/__stepgate/challenge/${"x".repeat(22)}`;

type Scheme = keyof typeof BACKGROUND;

let server: DevServer;
let browser: Browser;
let adminHeaders: Record<string, string>;
// Its own local state: the policy changes below stay out of the checkout's .wrangler/state.
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-look-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
  const adminKey = /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();
  adminHeaders = { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" };
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The demo tenant's branding changed as an admin would (GET, then PUT with its ETag); `undefined` removes a field. */
async function brand(changes: Record<string, string | undefined>): Promise<void> {
  const current = await fetch(`${server.base}/__stepgate/admin/v1/policy`, { headers: adminHeaders });
  const policy = (await current.json()) as { branding: Record<string, unknown> };
  policy.branding = { ...policy.branding, ...changes };
  const put = await fetch(`${server.base}/__stepgate/admin/v1/policy`, {
    method: "PUT",
    headers: { ...adminHeaders, "If-Match": current.headers.get("ETag")! },
    body: JSON.stringify(policy),
  });
  expect(put.status).toBe(200);
}

/**
 * A page of a browser whose device prefers `prefers` that fails the test on a script error, a
 * CSP violation, or any answer of 400 or more other than the error page it opens on purpose
 * (Chromium reports a failed favicon only on the console, with its URL as the location).
 */
async function withPage(prefers: Scheme, steps: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: prefers });
  const page = await context.newPage();
  const problems: string[] = [];
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI))',
  );
  const expected = (url: string) => new URL(url).pathname === MISSING_CHALLENGE;
  page.on("response", (response) => {
    if (response.status() >= 400 && !expected(response.url())) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    if (!(message.text().startsWith("Failed to load resource") && url && expected(url))) problems.push(`${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => problems.push(error.message));
  try {
    await steps(page);
  } finally {
    await context.close();
  }
  expect(problems).toEqual([]);
}

/** What the page's `axe` (axe-core) answers, as far as the test reads it. */
interface AxeResults {
  violations: Array<{ id: string; nodes: Array<{ target: unknown }> }>;
}

/** axe-core's violations on the page as it is, each as `rule: elements`. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // Only the violations come back: axe's full results (every rule passed, per element) are large.
  return page.evaluate(async () => {
    const { violations } = await (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run();
    return violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

/** The page is in `scheme`, and axe-core finds nothing wrong with it. */
async function looksRight(page: Page, scheme: Scheme, name: string): Promise<void> {
  expect(await page.evaluate("getComputedStyle(document.body).backgroundColor"), `${name}: ${scheme} background`).toBe(BACKGROUND[scheme]);
  expect(await axeViolations(page), `${name} in ${scheme}`).toEqual([]);
}

/**
 * A new demo user's way past the representative pages, each checked in `scheme`: the choice of
 * factors, a phone's page, the authenticator app's QR page, the backup codes, the settings, the
 * challenge for a withdrawal, and an error page.
 */
async function walkThePages(page: Page, scheme: Scheme, user: string): Promise<void> {
  await page.goto(`${server.base}/login`);
  await page.fill("input[name=username]", user);
  await page.click("button[type=submit]");
  await page.goto(`${server.base}/__stepgate/enroll`);
  await looksRight(page, scheme, "enrol: choose");
  await page.goto(`${server.base}/__stepgate/enroll?factor=sms`);
  await looksRight(page, scheme, "enrol: phone");
  await page.goto(`${server.base}/__stepgate/enroll?factor=totp`);
  await looksRight(page, scheme, "enrol: authenticator app");
  // The QR code keeps its light frame and scans as it is shown, dark page or not.
  expect(await page.evaluate('getComputedStyle(document.querySelector(".qr")).backgroundColor')).toBe("rgb(255, 255, 255)");
  const qr = join(stateDir, `qr-${user}.png`);
  writeFileSync(qr, await page.locator(".qr").screenshot());
  const uri = execFileSync("zbarimg", ["-q", "--raw", qr]).toString().trim();
  const secret = new URL(uri).searchParams.get("secret")!;
  await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
  await page.click("button[type=submit]");
  expect(await page.textContent("h1")).toBe("Save your backup codes");
  await looksRight(page, scheme, "backup codes");
  await page.goto(`${server.base}/__stepgate/settings`);
  expect(await page.textContent("h1")).toBe("Two-factor verification");
  await looksRight(page, scheme, "settings");
  await page.goto(`${server.base}/wallet/withdraw`);
  await page.fill("form[action='/wallet/withdraw'] input[name=amount]", "5");
  await page.click("form[action='/wallet/withdraw'] button");
  expect(await page.textContent("h1")).toBe("Confirm your withdrawal");
  await looksRight(page, scheme, "challenge");
  await page.goto(`${server.base}${MISSING_CHALLENGE}`);
  expect(await page.textContent("h1")).toBe("Not found");
  await looksRight(page, scheme, "error page");
}

describe("the hosted pages' look", () => {
  it("follows the device's light or dark setting by default, with no axe violation on either", async () => {
    for (const scheme of ["light", "dark"] as const) {
      await withPage(scheme, (page) => walkThePages(page, scheme, `auto-${scheme}-${Date.now()}`));
    }
  });

  it("stays light or dark as the tenant fixes it, whatever the device prefers, and reads in any brand colour", async () => {
    // A yellow too light for white text or for links on white; a purple too dark for links on black.
    await brand({ mode: "light", color: "#f5c400" });
    await withPage("dark", (page) => walkThePages(page, "light", `light-${Date.now()}`));
    // Without a logo the tab's icon is stepgate's own, still no request that fails.
    await brand({ mode: "dark", color: "#5c2d91", logoUrl: undefined });
    await withPage("light", (page) => walkThePages(page, "dark", `dark-${Date.now()}`));
    await brand({ mode: "auto", color: "#0a58ca", logoUrl: `${server.demoOrigin}/logo.svg` });
    expect(server.output()).toMatch(/GET \/__stepgate\/favicon\.svg 200/);
    expect(server.output()).not.toMatch(/GET \/favicon\.ico/);
  });

  it("makes each enrolment choice one card a keyboard reaches, with a visible focus ring, and styles phone and email fields like the code field", () =>
    withPage("light", async (page) => {
      await page.goto(`${server.base}/login`);
      await page.fill("input[name=username]", `keys-${Date.now()}`);
      await page.click("button[type=submit]");
      await page.goto(`${server.base}/__stepgate/enroll`);
      // The icon is the demo portal's logo, as in the header.
      expect(await page.getAttribute("link[rel=icon]", "href")).toBe(`${server.demoOrigin}/logo.svg`);
      let focused = "";
      for (let i = 0; i < 10 && !focused.includes("factor=totp"); i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate("document.activeElement.getAttribute('href') || ''");
      }
      expect(focused).toBe("/__stepgate/enroll?factor=totp");
      const card = await page.evaluate(`(() => {
        const a = document.activeElement, box = a.getBoundingClientRect(), li = a.closest("li").getBoundingClientRect(), s = getComputedStyle(a);
        return { outline: s.outlineStyle + " " + s.outlineWidth, fills: box.width === li.width && box.height === li.height, text: a.textContent };
      })()`);
      expect(card).toEqual({ outline: "solid 3px", fills: true, text: expect.stringContaining("even offline") });
      await page.keyboard.press("Enter");
      await page.waitForURL(/factor=totp/);
      const fieldLook =
        "(() => { const s = getComputedStyle(document.querySelector('main input:not([type=hidden])')); return [s.borderTopWidth, s.borderTopColor, s.borderRadius, s.paddingTop, s.backgroundColor, s.width].join(' '); })()";
      const code = await page.evaluate(fieldLook);
      for (const factor of ["sms", "email"]) {
        await page.goto(`${server.base}/__stepgate/enroll?factor=${factor}`);
        expect(await page.evaluate(fieldLook), factor).toBe(code);
      }
      await page.goto(`${server.base}/__stepgate/enroll`);
      await page.click("text=Back to your security settings");
      expect(new URL(page.url()).pathname).toBe("/__stepgate/settings");
    }));
});
