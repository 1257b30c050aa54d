/**
 * Passkeys in a real browser, through `npm run dev` (the demo tenant offers them): Chromium's
 * virtual authenticator (DevTools Protocol `WebAuthn`) creates a passkey on the hosted enrolment
 * page, then approves a withdrawal held on the demo portal — its amount and payee shown before the
 * browser is asked — and the portal receives it once. Then that authenticator is gone, another
 * one that holds no credential of the user is in its place, and a second withdrawal is not sent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addVirtualAuthenticator, checkedPage, launchChromium, signIn } from "./browser-support";
import { type DevServer, startDevServer } from "./dev-server";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-passkeys-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Submits the demo portal's withdrawal form for `amount`; stepgate holds it and shows its challenge. */
async function withdraw(page: Page, amount: string): Promise<void> {
  await page.goto(`${server.base}/wallet/withdraw`);
  await page.fill("form[action='/wallet/withdraw'] input[name=amount]", amount);
  await Promise.all([page.waitForEvent("load"), page.click("form[action='/wallet/withdraw'] button")]);
  expect(new URL(page.url()).pathname).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
  expect(await page.textContent("h1")).toBe("Confirm your withdrawal");
}

/** The withdrawals the demo portal booked for the signed-in user, as its wallet lists them. */
async function booked(page: Page): Promise<string[]> {
  await page.goto(`${server.base}/wallet`);
  return page.locator("main tbody tr").allTextContents();
}

describe("passkeys in a real browser", () => {
  it("creates a passkey on the hosted page, approves a held withdrawal with it after showing what it approves, and refuses an authenticator without it", () =>
    checkedPage(browser, "passkeys", async (page) => {
      const user = `passkey${Date.now()}`;
      await signIn(server, page, user);
      const laptop = await addVirtualAuthenticator(page);

      // The passkey is offered first; its page explains it and asks for an optional name.
      await page.goto(`${server.base}/__stepgate/enroll`);
      expect(await page.locator("ul.choices a").first().getAttribute("href")).toBe("/__stepgate/enroll?factor=webauthn");
      await Promise.all([page.waitForEvent("load"), page.click("ul.choices a >> nth=0")]);
      expect(await page.textContent("h1")).toBe("Create a passkey");
      // The browser has WebAuthn: the script shows the form in place of the note that it is needed.
      expect(await page.isVisible("#passkey-unsupported")).toBe(false);
      await page.fill("#passkey-name", "Work laptop");
      await Promise.all([page.waitForEvent("load"), page.click("button:has-text('Create a passkey')")]);
      expect(await page.textContent("h1")).toBe("Save your backup codes");
      const [credential] = await laptop.credentials();
      expect(credential).toMatchObject({ rpId: "localhost", isResidentCredential: true });
      await Promise.all([page.waitForEvent("load"), page.click("text=continue")]);
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);

      // A withdrawal is held; its challenge asks for the passkey first, and shows what it approves
      // above the button, before the browser is asked for anything (the passkey has not signed).
      await withdraw(page, "123");
      const approving = page.locator("#approving");
      expect(await approving.textContent()).toContain("123");
      expect(await approving.textContent()).toContain("DE89 3704 0044 0532 0130 00");
      const button = page.locator("button:has-text('Use a passkey')");
      expect(await button.isVisible()).toBe(true);
      expect((await approving.boundingBox())!.y).toBeLessThan((await button.boundingBox())!.y);
      expect((await laptop.credentials())[0]!.signCount).toBe(credential!.signCount);
      expect(await page.isVisible("text=Use your authenticator app instead")).toBe(false);
      expect(await page.isVisible("text=Use a backup code instead")).toBe(true);

      // Approved with the passkey: the form the wallet sent reaches the portal, once.
      await Promise.all([page.waitForURL(/\/receipts\//), button.click()]);
      expect(await page.textContent("h1")).toBe("Withdrawal received");
      const received = JSON.parse((await page.textContent("#received"))!) as Record<string, string>;
      expect(received).toMatchObject({ amount: "123", currency: "USD", destination: "IBAN DE89 3704 0044 0532 0130 00" });
      expect((await laptop.credentials())[0]!.signCount).toBeGreaterThan(credential!.signCount);
      expect(await booked(page)).toEqual([expect.stringContaining("-$123.00")]);

      // Another device: the laptop's authenticator is gone, one that holds no passkey of this user is here.
      await laptop.remove();
      const stranger = await addVirtualAuthenticator(page);
      await withdraw(page, "456");
      const challenge = page.url();
      await page.click("button:has-text('Use a passkey')");
      // The browser finds no credential the options allow and reports it as it reports a cancelled
      // prompt (NotAllowedError): nothing is sent, the page says so and offers to try again.
      await page.locator("#passkey-cancelled").waitFor({ state: "visible" });
      expect(await page.textContent("#passkey-cancelled")).toBe(
        "No passkey answered: the request was cancelled or timed out, or this device has no passkey for your account. You can try again, or use another way below.",
      );
      expect(await button.isEnabled()).toBe(true);
      expect(page.url()).toBe(challenge);
      expect(await stranger.credentials()).toEqual([]);
      expect(await booked(page)).toEqual([expect.stringContaining("-$123.00")]);
    }));
});
