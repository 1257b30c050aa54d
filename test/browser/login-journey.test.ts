import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeDemoPolicy, checkedPage, lastCodeTo, launchChromium, signIn } from "./browser-support";
import { startDevServer, type DevServer } from "./dev-server";

let server: DevServer;
let browser: Browser;
// Its own local state: the admin change below would otherwise stay in the checkout's
// .wrangler/state, which `npm run dev` keeps across restarts.
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-browser-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
  // The demo tenant, switched to required 2FA with trusted devices, as an admin would.
  await changeDemoPolicy(server, (policy) => {
    policy.enforcement = "required";
    policy.trustedDevices = { ...policy.trustedDevices, enabled: true };
  });
});

/**
 * On the enrolment page: chooses a factor that sends codes ("Text message" or "Email"), gives
 * `address`, types the code from the dev outbox, and leaves the backup codes page for the portal.
 */
async function enrollBySentCode(page: Page, choice: "Text message" | "Email", address: string, user: string): Promise<void> {
  await page.click(`text=${choice}`);
  await page.fill("#address", address);
  await page.click("button[type=submit]");
  await page.fill("#code", await lastCodeTo(server, address));
  await page.click("button[type=submit]");
  expect(await page.textContent("h1")).toBe("Save your backup codes");
  await page.click("text=continue");
  expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
}

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("the demo portal in a real browser", () => {
  it("demo login → forced enrolment → QR → code → trust device → logout → login again without a code → held withdrawal sent once", () =>
    checkedPage(browser, "totp-journey", async (page) => {
      const user = `browser${Date.now()}`;
      await signIn(server, page, user);
      expect(page.url()).toContain("/__stepgate/enroll?challenge=");
      // The page's stylesheet applied under its Content-Security-Policy (its nonce matched).
      expect(await page.evaluate('getComputedStyle(document.querySelector("header")).borderBottomWidth')).toBe("4px");
      await page.click("text=Authenticator app");

      // Scan the QR code as a phone would: screenshot it and decode it with zbarimg.
      const qr = join(mkdtempSync(join(tmpdir(), "qr-")), "qr.png");
      writeFileSync(qr, await page.locator(".qr svg").screenshot());
      const uri = execFileSync("zbarimg", ["-q", "--raw", qr]).toString().trim();
      expect(uri).toMatch(/^otpauth:\/\/totp\/Demo%20Brokerage:/);
      const secret = new URL(uri).searchParams.get("secret")!;
      expect(await page.textContent("#secret")).toContain(secret.slice(0, 4));

      await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
      await page.check("input[name=trustDevice]");
      await page.click("button[type=submit]");
      expect(await page.textContent("h1")).toBe("Save your backup codes");
      const backupCodes = await page.locator("#backup-codes li").allTextContents();
      expect(backupCodes).toHaveLength(10);
      await page.click("text=continue");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);

      await page.click("text=Sign out");
      await signIn(server, page, user);
      // A new portal session on the trusted device: no code asked.
      expect(new URL(page.url()).pathname).toBe("/");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);

      // The money is still protected: a withdrawal asks for a code on the trusted device too.
      await page.goto(`${server.base}/wallet/withdraw`);
      await page.fill("form[action='/wallet/withdraw'] input[name=amount]", "123");
      await page.click("form[action='/wallet/withdraw'] button");
      // The form is held: the browser lands on the challenge itself, with what it approves.
      expect(await page.textContent("h1")).toBe("Confirm your withdrawal");
      expect(await page.textContent("main")).toContain("Once you confirm, your request is sent for you, once.");
      expect(await page.textContent("#approving")).toContain("123");

      // Verify with a backup code: the form filled in on the wallet arrives at the portal, once.
      await page.click("text=Use a backup code");
      await page.fill("#code", backupCodes[0]!.trim());
      await page.click("button[type=submit]");
      expect(await page.textContent("h1")).toBe("Withdrawal received");
      const received = JSON.parse((await page.textContent("#received"))!) as Record<string, string>;
      expect(received).toMatchObject({ amount: "123", currency: "USD", destination: "IBAN DE89 3704 0044 0532 0130 00" });
      // The portal redirected to its receipt: reloading shows it again and withdraws nothing more.
      const receipt = page.url();
      expect(new URL(receipt).pathname).toMatch(/^\/receipts\/[\w-]{36}$/);
      await page.reload();
      expect(page.url()).toBe(receipt);
      expect(await page.textContent("h1")).toBe("Withdrawal received");
      await page.goto(`${server.base}/wallet`);
      expect(await page.locator("main tbody tr").allTextContents()).toEqual([expect.stringContaining("-$123.00")]);
    }));

  it("shows the demo portal on a 390 px phone and a 1280 px screen without sideways scrolling, the cards side by side on the wide one", async () => {
    for (const width of [390, 1280]) {
      // The portal on its own (no stepgate in front): its layout is what is looked at here.
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${server.demoOrigin}/login`);
      await page.fill("input[name=username]", `layout${width}`);
      await page.click("button[type=submit]");
      for (const path of ["/", "/wallet", "/wallet/deposit", "/wallet/withdraw", "/wallet/transfer", "/account"]) {
        await page.goto(`${server.demoOrigin}${path}`);
        const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
        expect(overflow, `${path} at ${width} px`).toBe(0);
        expect(await page.isVisible("nav >> text=Set up 2FA"), `${path} at ${width} px`).toBe(true);
      }
      await page.goto(`${server.demoOrigin}/`);
      const tops = await page.locator("main .grid > .card").evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().top));
      // The cash balance, protecting the account, and the Quick transfer.
      expect(tops).toHaveLength(3);
      expect(new Set(tops).size === 1, `cards side by side at ${width} px`).toBe(width === 1280);
      await context.close();
    }
  });

  it("enrols a phone with the text from the dev outbox, then signs in again answering a texted code", () =>
    checkedPage(browser, "sms-journey", async (page) => {
      const user = `sms${Date.now()}`;
      const phone = `+1415555${String(Date.now() % 10_000).padStart(4, "0")}`;
      await signIn(server, page, user);
      await enrollBySentCode(page, "Text message", phone, user);

      // A new session: the login challenge, answered with a texted code.
      await page.click("text=Sign out");
      await signIn(server, page, user);
      expect(page.url()).toContain("/__stepgate/challenge/");
      // The phone is the only factor, so the page offers to text a code straight away — once the
      // 30 s cooldown after the enrolment text has passed: until then the button waits, counting down.
      const textMe = page.locator("button:has-text('Text me a code')");
      expect(await textMe.isDisabled()).toBe(true);
      expect(await page.textContent("[data-countdown]")).toMatch(/You can ask for a code in \d+ seconds\./);
      await textMe.click({ timeout: 35_000 });
      await page.fill("#code", await lastCodeTo(server, phone));
      await page.click("button[type=submit]");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
    }));

  it("enrols by email with the code from the dev outbox, then shows the factor and activity in settings", () =>
    checkedPage(browser, "email-journey", async (page) => {
      const user = `mail${Date.now()}`;
      const address = `${user}@demo.test`;
      await signIn(server, page, user);
      expect(page.url()).toContain("/__stepgate/enroll?challenge=");
      await enrollBySentCode(page, "Email", address, user);
      await page.goto(`${server.base}/__stepgate/settings`);
      const settings = (await page.textContent("main"))!;
      expect(settings).toContain("Email");
      expect(settings).toContain("Factor added");
    }));
});
