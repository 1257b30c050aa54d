/**
 * The README's screenshots: the demo's withdrawal challenge on a 390 px phone, light and dark,
 * and the admin console's security settings and users pages on a 1280 px screen, taken from
 * `npm run dev` on its own state in headless Chromium (the browser suite's setup).
 *
 *   npx tsx scripts/readme-screenshots.ts   # writes docs/images/challenge-{light,dark}.png, console-{settings,users}.png
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { launchChromium, signIn } from "../test/browser/browser-support";
import { adminInConsole, CONSOLE } from "../test/browser/console-support";
import { startDevServer } from "../test/browser/dev-server";

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-screenshots-"));
const server = await startDevServer({ stateDir });
const browser = await launchChromium();
try {
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, colorScheme });
    const page = await context.newPage();
    await page.goto(`${server.base}/login`);
    await page.fill("input[name=username]", `readme-${colorScheme}`);
    await page.fill("input[name=password]", "demo");
    await page.click("button");
    // Set up an authenticator app from the portal's "Set up 2FA" (the demo tenant's enforcement is optional).
    await page.goto(`${server.base}/__stepgate/enroll?factor=totp`);
    const secret = (await page.textContent("#secret"))!.replace(/\s+/g, "");
    await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
    await page.click("button[type=submit]");
    await page.goto(`${server.base}/wallet/withdraw`);
    await page.fill("form[action='/wallet/withdraw'] input[name=amount]", "2500.00");
    await page.click("form[action='/wallet/withdraw'] button");
    await page.waitForSelector("#approving");
    await page.screenshot({ path: `docs/images/challenge-${colorScheme}.png` });
    await context.close();
  }
  // The console as the demo's security administrator sees it, after a few customers came by.
  for (const customer of ["alice", "bob", "carol", "dmitri", "emma"]) {
    const visit = await browser.newContext();
    await signIn(server, await visit.newPage(), customer);
    await visit.close();
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await adminInConsole(server, page, "admin");
  // The admin's own enrolment reaches the directory moments later (a user's object reports it).
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const section of ["settings", "users"]) {
    await page.goto(`${server.base}${CONSOLE}/${section}`);
    await page.screenshot({ path: `docs/images/console-${section}.png`, fullPage: section === "users" });
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
console.log("wrote docs/images/challenge-{light,dark}.png, docs/images/console-{settings,users}.png");
