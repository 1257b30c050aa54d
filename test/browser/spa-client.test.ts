/**
 * The SPA client in a real browser, through `npm run dev`: the demo portal's Quick transfer sends
 * its transfer with `stepgate.fetch`; the step-up opens in the client's dialog over the page (the
 * hosted challenge in a same-origin iframe, showing what is approved), a TOTP code is typed into
 * it, and the promise resolves with the portal's answer — the transfer arriving once. Cancelling
 * (Escape inside the dialog) rejects and sends nothing; the page with the dialog open passes axe-core.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedPage, launchChromium, signIn } from "./browser-support";
import { type DevServer, startDevServer } from "./dev-server";
import { axeViolations } from "./page-audit";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-spa-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const code = (secret: string, at: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at });

/** Enrols an authenticator app on the hosted page and returns its secret and when its first code was made. */
async function enrolApp(page: Page): Promise<{ secret: string; usedAt: number }> {
  await page.goto(`${server.base}/__stepgate/enroll`);
  await page.click("text=Authenticator app");
  const secret = ((await page.textContent("#secret")) ?? "").replace(/\s/g, "");
  const usedAt = Date.now();
  await page.fill("#code", code(secret, usedAt));
  await page.click("button[type=submit]");
  expect(await page.textContent("h1")).toBe("Save your backup codes");
  await page.click("text=continue");
  await page.waitForLoadState();
  return { secret, usedAt };
}

/** The hosted challenge inside the client's dialog, once it has loaded. */
async function challengeFrame(page: Page): Promise<Frame> {
  const dialog = page.locator("dialog[open]");
  await dialog.waitFor();
  const frame = await (await dialog.locator("iframe").elementHandle())!.contentFrame();
  await frame!.waitForSelector("#code");
  return frame!;
}

/** The overview's activity rows for transfers, read afresh from the portal. */
async function transfersListed(page: Page): Promise<number> {
  await page.goto(`${server.base}/`);
  return page.locator('td a[href^="/receipts/"]', { hasText: "Transfer" }).count();
}

describe("the SPA client with the demo portal's Quick transfer", () => {
  it("opens the challenge in a dialog over the page, takes a code there, and resolves with the portal's answer: the transfer arrives once", () =>
    checkedPage(browser, "spa-client-verified", async (page) => {
      await signIn(server, page, `spa${Date.now()}`);
      const { secret, usedAt } = await enrolApp(page);
      await page.goto(`${server.base}/`);
      await page.fill("#quick-amount", "25");
      await page.fill("#quick-to", "ACC-7007");
      await page.click("#quick-transfer button");

      const frame = await challengeFrame(page);
      // What is approved is shown in the dialog, as on the full page.
      const approving = (await frame.textContent("#approving")) ?? "";
      expect(approving).toMatch(/Amount\s*\$25(?![\d.,])/);
      expect(approving).toContain("ACC-7007");
      // The form under the dialog is as the user left it.
      expect(await page.inputValue("#quick-to")).toBe("ACC-7007");
      expect(await axeViolations(page)).toEqual([]);

      await frame.fill("#code", code(secret, usedAt + 30_000));
      await frame.click("button[type=submit]");
      await page.locator("dialog[open]").waitFor({ state: "detached" });
      await expect.poll(() => page.textContent("#quick-transfer-status")).toMatch(/^Sent -\$25\.00 to ACC-7007\. Reference [0-9A-F]{8}\.$/);
      expect(await transfersListed(page)).toBe(1);
    }));

  it("rejects when the user cancels with Escape inside the dialog, and nothing is sent", () =>
    checkedPage(browser, "spa-client-cancelled", async (page) => {
      await signIn(server, page, `spacancel${Date.now()}`);
      await enrolApp(page);
      await page.goto(`${server.base}/`);
      const focusedBefore = "#quick-transfer button";
      await page.click(focusedBefore);
      const frame = await challengeFrame(page);
      await frame.focus("#code");
      await page.keyboard.press("Escape");
      await page.locator("dialog[open]").waitFor({ state: "detached" });
      await expect.poll(() => page.textContent("#quick-transfer-status")).toBe("Cancelled: nothing was sent.");
      // Focus is back where it was when the dialog opened.
      expect(await page.evaluate("document.activeElement.textContent")).toBe("Send");
      expect(await transfersListed(page)).toBe(0);
    }));
});
