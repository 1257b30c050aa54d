/**
 * What the demo portal shows of stepgate's assurance, in a real browser on a 390 px phone (axe in
 * the light and the dark scheme, no sideways scrolling): the overview says how the sign-in was
 * confirmed, a withdrawal's receipt how the withdrawal was, and a withdrawal sent to the portal's
 * own port, around stepgate, is refused by the portal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./browser-support";
import { startDevServer, type DevServer } from "./dev-server";
import { auditedContext } from "./page-audit";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-browser-assurance-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const CONFIRMED = /^Confirmed with an authenticator app at \d\d:\d\d UTC$/;

describe("the demo portal's assurance, on a phone", () => {
  it("says how the sign-in and a withdrawal were confirmed, and refuses a withdrawal sent around stepgate", async () => {
    const { context, audit } = await auditedContext(browser, "en", false);
    const page = await context.newPage();
    const user = `assured${Date.now()}`;
    await page.goto(`${server.base}/login`);
    await page.fill("input[name=username]", user);
    await page.click("button[type=submit]");
    await page.waitForLoadState();

    // An authenticator app, set up from the portal's "Set up 2FA".
    await page.goto(`${server.base}/__stepgate/enroll`);
    await page.click("text=Authenticator app");
    const secret = (await page.textContent("#secret"))!.replace(/\s/g, "");
    const code = (at: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at });
    await page.fill("#code", code(Date.now()));
    await page.click("button[type=submit]");
    await page.click("text=continue");
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.textContent("#sign-in-confirmed")).toMatch(/^Sign-in confirmed with an authenticator app at \d\d:\d\d UTC\.$/);
    await audit.check(page, "overview, sign-in confirmed");

    // A withdrawal, approved with the app's next code: its receipt says so.
    await page.goto(`${server.base}/wallet/withdraw`);
    await page.fill("form[action='/wallet/withdraw'] input[name=amount]", "42");
    await page.click("form[action='/wallet/withdraw'] button");
    await page.fill("#code", code(Date.now() + 30_000));
    await page.click("button[type=submit]");
    expect(await page.textContent("h1")).toBe("Withdrawal received");
    expect(await page.textContent("#confirmed")).toMatch(CONFIRMED);
    await audit.check(page, "receipt, withdrawal confirmed");

    // The same form on the portal's own port: no assurance, refused by the portal itself.
    await page.goto(`${server.demoOrigin}/login`);
    await page.fill("input[name=username]", user);
    await page.click("button[type=submit]");
    await page.goto(`${server.demoOrigin}/wallet/withdraw`);
    const refused = page.waitForResponse((response) => response.request().method() === "POST");
    await page.click("form[action='/wallet/withdraw'] button");
    expect((await refused).status()).toBe(403);
    expect(await page.textContent("h1")).toBe("Refused by the portal");
    expect(await page.textContent("[role=alert]")).toContain("did not come through stepgate");
    await audit.check(page, "withdrawal around stepgate, refused");

    await context.close();
    expect(audit.found).toEqual([]);
  });
});
