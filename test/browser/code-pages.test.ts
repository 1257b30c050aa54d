/**
 * The code pages in a real browser: leaving a page that asks for a code sent by text and coming
 * back asks for the same code (which then works), the wait before another code counts down and
 * frees the button; the backup codes can be downloaded as a text file, copied and printed, and
 * their boxes never overlap on a 320 px phone. No page logs an error or breaks its policy.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeDemoPolicy, checkedPage, lastCodeTo, launchChromium, signIn } from "./browser-support";
import { startDevServer, type DevServer } from "./dev-server";

/** The shortest resend cooldown the policy allows, so the countdown is watched to its end. */
const COOLDOWN_SECONDS = 10;

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-code-pages-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
  await changeDemoPolicy(server, (policy) => {
    policy.enforcement = "required";
    for (const kind of ["sms", "email"]) policy.factors[kind] = { ...policy.factors[kind], resendCooldownSeconds: COOLDOWN_SECONDS };
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The seconds the page's countdown shows now. */
async function secondsShown(page: Page): Promise<number> {
  return Number(/\d+/.exec((await page.textContent("[data-countdown] [data-wait]"))!)![0]);
}

describe("a code sent by text, in a real browser", () => {
  it("is asked for again after leaving the page and coming back, and the wait before another counts down to a working button", () =>
    checkedPage(browser, "resumed-code", async (page) => {
      const user = `resume${Date.now()}`;
      const phone = `+1415555${String(Date.now() % 10_000).padStart(4, "0")}`;
      await signIn(server, page, user);
      await page.click("text=Text message");
      await page.fill("#address", phone);
      await page.click("button[type=submit]");

      // Sent: the page asks for the code, and the resend button waits, counting down.
      expect(await page.textContent("main")).toContain("We sent a code to");
      const resend = page.locator("form[action$='/resend'] button");
      expect(await resend.isDisabled()).toBe(true);
      const before = await secondsShown(page);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThanOrEqual(COOLDOWN_SECONDS);
      await page.waitForTimeout(2_200);
      expect(await secondsShown(page)).toBeLessThan(before);

      // Away to the portal and back: the same code is asked for, not a wait to sit out.
      const codePage = page.url();
      await page.goto(`${server.demoOrigin}/login`);
      await page.goBack();
      expect(page.url()).toBe(codePage);
      expect(await page.textContent("main")).toContain("We sent a code to");
      expect(await page.isVisible("#code")).toBe(true);

      // At zero the note goes and the button works.
      await expect.poll(() => resend.isEnabled(), { timeout: (COOLDOWN_SECONDS + 5) * 1000, interval: 250 }).toBe(true);
      expect(await page.isHidden("[data-countdown]")).toBe(true);

      await page.fill("#code", await lastCodeTo(server, phone));
      await page.click("form[action='/__stepgate/enroll'] button[type=submit]");
      expect(await page.textContent("h1")).toBe("Save your backup codes");
      await page.click("text=continue");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);

      // Signing in again: the challenge's texted code, left and come back to, verifies.
      await page.click("text=Sign out");
      await signIn(server, page, user);
      await page.click("button:has-text('Text me a code')");
      const challenge = page.url();
      expect(challenge).toMatch(/\/__stepgate\/challenge\/[\w-]{22}\?factor=sms$/);
      expect(await page.locator("button:has-text('Send a new code')").isDisabled()).toBe(true);
      await page.goto(`${server.demoOrigin}/login`);
      await page.goBack();
      expect(page.url()).toBe(challenge);
      await page.fill("#code", await lastCodeTo(server, phone));
      await page.click("button:has-text('Verify')");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
    }));
});

describe("the backup codes page, in a real browser", () => {
  it("downloads the codes as a text file, copies and prints them, and never overlaps them at 320 px", () =>
    checkedPage(
      browser,
      "backup-codes",
      async (page) => {
        const user = `codes${Date.now()}`;
        await signIn(server, page, user);
        await page.click("text=Authenticator app");
        const secret = (await page.textContent("#secret"))!.replace(/\s/g, "");
        await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
        await page.click("button[type=submit]");
        expect(await page.textContent("h1")).toBe("Save your backup codes");
        const codes = (await page.locator("#backup-codes li").allTextContents()).map((code) => code.trim());
        expect(codes).toHaveLength(10);

        for (const width of [320, 390]) {
          await page.setViewportSize({ width, height: 800 });
          const boxes = await page.locator("#backup-codes li").evaluateAll((items) =>
            items.map((item) => {
              const { left, right, top, bottom } = item.getBoundingClientRect();
              return { left, right, top, bottom, fits: item.scrollWidth <= item.clientWidth };
            }),
          );
          for (const [i, a] of boxes.entries()) {
            expect(a.fits, `code ${i} fits its box at ${width} px`).toBe(true);
            expect(a.right, `code ${i} inside the page at ${width} px`).toBeLessThanOrEqual(width);
            for (const b of boxes.slice(i + 1)) {
              const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
              expect(overlap, `codes overlap at ${width} px`).toBe(false);
            }
          }
          expect(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), `sideways scrolling at ${width} px`).toBe(0);
          // Two columns where they fit (a phone of 390 px), one where they do not.
          expect(new Set(boxes.map((box) => box.left)).size).toBe(width === 390 ? 2 : 1);
        }

        // Download without script: a text file named for the portal, with every code.
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-codes")]);
        expect(download.suggestedFilename()).toBe("demo-brokerage-backup-codes.txt");
        const file = readFileSync((await download.path())!, "utf8");
        expect(file.startsWith("Backup codes for Demo Brokerage. Each code works once.\n\n")).toBe(true);
        expect(file.trim().split("\n").slice(-10)).toEqual(codes);

        // Copy: the script's button puts them on the clipboard, one a line, and says so.
        expect(await page.isHidden("#codes-copied")).toBe(true);
        await page.click("#copy-codes");
        await page.waitForSelector("#codes-copied", { state: "visible" });
        expect(await page.evaluate("navigator.clipboard.readText()")).toBe(codes.join("\n"));

        // Print: the browser's dialog (stubbed here), and paper with just the codes on it.
        await page.evaluate("window.printed = 0; window.print = () => { window.printed++; }");
        await page.click("#print-codes");
        expect(await page.evaluate("window.printed")).toBe(1);
        await page.emulateMedia({ media: "print" });
        expect(await page.isVisible("#backup-codes")).toBe(true);
        for (const hidden of [".keep-codes", "main .card > p.no-print", "main > a.button", "nav.languages"]) {
          expect(await page.locator(hidden).first().isHidden(), `${hidden} in print`).toBe(true);
        }
        await page.emulateMedia({ media: "screen" });

        // Saved: the page's main button goes on to the portal.
        await page.click("a.button:has-text('I have saved my codes')");
        expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
      },
      { viewport: { width: 320, height: 800 }, permissions: ["clipboard-read", "clipboard-write"], acceptDownloads: true },
    ));
});
