/**
 * Replacing the authenticator app in a real browser, through `npm run dev`: enrol an app, sign in
 * again, and from the settings page replace it (a fresh verification first, the new app's QR code
 * decoded with zbarimg, its code made by otpauth); afterwards the old app's codes are refused and
 * the new one's accepted.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedPage, launchChromium, signIn } from "./browser-support";
import { type DevServer, startDevServer } from "./dev-server";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-replace-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The secret in the authenticator app's QR code on the page, read as a phone would (zbarimg). */
async function scanQr(page: Page): Promise<string> {
  const png = join(mkdtempSync(join(tmpdir(), "qr-")), "qr.png");
  writeFileSync(png, await page.locator(".qr svg").screenshot());
  const uri = execFileSync("zbarimg", ["-q", "--raw", png]).toString().trim();
  return new URL(uri).searchParams.get("secret")!;
}

const code = (secret: string, at = Date.now()) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at });

/** On a challenge page: answers with a backup code. */
async function answerWithBackupCode(page: Page, backupCode: string): Promise<void> {
  await page.click("text=Use a backup code");
  await page.fill("#code", backupCode);
  await page.click("button[type=submit]");
}

describe("replacing the authenticator app in a real browser", () => {
  it("enrol an app → settings → Replace → verify → scan the new QR code → its code; the old app's codes stop working, the new one's work", () =>
    checkedPage(browser, "replace-authenticator", async (page) => {
      const user = `replace${Date.now()}`;
      await signIn(server, page, user);
      await page.goto(`${server.base}/__stepgate/enroll`);
      await page.click("text=Authenticator app");
      const oldSecret = await scanQr(page);
      await page.fill("#code", code(oldSecret));
      await page.click("button[type=submit]");
      expect(await page.textContent("h1")).toBe("Save your backup codes");
      const backupCodes = (await page.locator("#backup-codes li").allTextContents()).map((c) => c.trim());
      await page.click("text=continue");

      // The choice of factors no longer offers a second app, but to replace this one.
      await page.goto(`${server.base}/__stepgate/enroll`);
      expect(await page.locator('a[href="/__stepgate/enroll?factor=totp"]').count()).toBe(0);
      expect(await page.textContent("#replace-app")).toContain("Replace authenticator app");

      // A new session: signed in with a backup code, it has no fresh verification.
      await page.goto(`${server.base}/`);
      await page.click("text=Sign out");
      await signIn(server, page, user);
      await answerWithBackupCode(page, backupCodes[0]!);
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
      await page.goto(`${server.base}/__stepgate/settings`);
      expect(await page.locator("main h2").allTextContents()).toEqual(["Your factors", "Backup codes", "Trusted devices", "Recent activity"]);
      expect(await page.textContent("#backup-left")).toBe("9 of 10 left");
      // Compact: the Replace button is not a full-width block.
      const [button, row] = await Promise.all([page.locator("#factors button:has-text('Replace')").boundingBox(), page.locator("#factors li").boundingBox()]);
      expect(button!.width).toBeLessThan(row!.width / 2);

      await page.click("#factors button:has-text('Replace')");
      expect(await page.textContent("h1")).toBe("Confirm changes to your security settings");
      await answerWithBackupCode(page, backupCodes[1]!);
      expect(await page.textContent("h1")).toBe("Replace your authenticator app");
      expect(await page.textContent("#replacing")).toContain("Your current app keeps working");
      const newSecret = await scanQr(page);
      expect(newSecret).not.toBe(oldSecret);
      await page.fill("#code", code(newSecret));
      await page.click("button[type=submit]");
      expect(await page.textContent("h1")).toBe("Authenticator app replaced");
      await page.click("text=Continue");
      expect(new URL(page.url()).pathname).toBe("/__stepgate/settings");
      expect(await page.locator("#factors li").allTextContents()).toEqual([expect.stringContaining("Authenticator app")]);
      expect(await page.textContent("#activity li:first-child")).toContain("Factor replaced (Authenticator app)");
      // On a phone the rows wrap: nothing scrolls sideways.
      for (const width of [390, 320]) {
        await page.setViewportSize({ width, height: 800 });
        expect(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), `settings at ${width} px`).toBe(0);
      }

      // Signing in again: the old app's next code is refused, the new app's is taken.
      await page.click("#portal");
      await page.click("text=Sign out");
      await signIn(server, page, user);
      expect(page.url()).toContain("/__stepgate/challenge/");
      await page.fill("#code", code(oldSecret, Date.now() + 30_000));
      await page.click("button[type=submit]");
      expect(await page.textContent(".error")).toContain("That code is not right");
      await page.fill("#code", code(newSecret, Date.now() + 30_000));
      await page.click("button[type=submit]");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
    }));
});
