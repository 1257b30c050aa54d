import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "./dev-server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

let server: DevServer;
let browser: Browser;
// Its own local state: the admin change below would otherwise stay in the checkout's
// .wrangler/state, which `npm run dev` keeps across restarts.
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-browser-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  // The demo tenant, switched to required 2FA with trusted devices, as an admin would.
  const adminKey = /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();
  const headers = { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" };
  const current = await fetch(`${server.base}/__stepgate/admin/v1/policy`, { headers });
  const policy = (await current.json()) as { enforcement: string; trustedDevices: Record<string, unknown> };
  policy.enforcement = "required";
  policy.trustedDevices = { ...policy.trustedDevices, enabled: true };
  const put = await fetch(`${server.base}/__stepgate/admin/v1/policy`, {
    method: "PUT",
    headers: { ...headers, "If-Match": current.headers.get("ETag")! },
    body: JSON.stringify(policy),
  });
  expect(put.status).toBe(200);
});

/**
 * A page that records its console errors, uncaught exceptions and Content-Security-Policy
 * violations; `run` screenshots it into `test/browser/screenshots/` when the steps fail, and
 * fails when the page logged an error or broke its policy.
 */
async function checkedPage(name: string, steps: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  const errors: string[] = [];
  // Reported by the browser whatever its console says about it (a blocked style, image, frame).
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI))',
  );
  page.on("console", (message) => {
    // Chromium also logs every non-2xx answer as a console error; the journeys expect some
    // (the 401 step-up page, the 429 before a code may be sent again): those are checked by
    // the steps themselves, only script errors count here.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    await steps(page);
  } catch (error) {
    mkdirSync("test/browser/screenshots", { recursive: true });
    await page.screenshot({ path: `test/browser/screenshots/${name}.png`, fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
  expect(errors).toEqual([]);
}

/** Signs in to the demo portal as `user` (any password). */
async function signIn(page: Page, user: string): Promise<void> {
  await page.goto(`${server.base}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "anything");
  await page.click("button");
  // The click returns once the next page's address is known, perhaps before that page is read.
  await page.waitForLoadState();
}

/** The code in the newest dev-outbox message to `to`. */
async function lastCodeTo(to: string): Promise<string> {
  const outbox = (await (await fetch(`${server.base}/__stepgate/dev/outbox?format=json`)).json()) as { messages: Array<{ to: string; text: string }> };
  return /\b(\d{6})\b/.exec(outbox.messages.find((m) => m.to === to)!.text)![1]!;
}

/**
 * On the enrolment page: chooses a factor that sends codes ("Text message" or "Email"), gives
 * `address`, types the code from the dev outbox, and leaves the backup codes page for the portal.
 */
async function enrollBySentCode(page: Page, choice: "Text message" | "Email", address: string, user: string): Promise<void> {
  await page.click(`text=${choice}`);
  await page.fill("#address", address);
  await page.click("button[type=submit]");
  await page.fill("#code", await lastCodeTo(address));
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
    checkedPage("totp-journey", async (page) => {
      const user = `browser${Date.now()}`;
      await signIn(page, user);
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
      await signIn(page, user);
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
      expect(tops).toHaveLength(2);
      expect(tops[0] === tops[1], `cards side by side at ${width} px`).toBe(width === 1280);
      await context.close();
    }
  });

  it("enrols a phone with the text from the dev outbox, then signs in again answering a texted code", () =>
    checkedPage("sms-journey", async (page) => {
      const user = `sms${Date.now()}`;
      const phone = `+1415555${String(Date.now() % 10_000).padStart(4, "0")}`;
      await signIn(page, user);
      await enrollBySentCode(page, "Text message", phone, user);

      // A new session: the login challenge, answered with a texted code.
      await page.click("text=Sign out");
      await signIn(page, user);
      expect(page.url()).toContain("/__stepgate/challenge/");
      // The phone is the only factor, so the page offers to text a code straight away — once the
      // 30 s cooldown after the enrolment text has passed: until then the button waits, counting down.
      const textMe = page.locator("button:has-text('Text me a code')");
      expect(await textMe.isDisabled()).toBe(true);
      expect(await page.textContent("[data-countdown]")).toMatch(/You can ask for a code in \d+ seconds\./);
      await textMe.click({ timeout: 35_000 });
      await page.fill("#code", await lastCodeTo(phone));
      await page.click("button[type=submit]");
      expect(await page.textContent("main")).toContain(`Signed in as ${user}`);
    }));

  it("enrols by email with the code from the dev outbox, then shows the factor and activity in settings", () =>
    checkedPage("email-journey", async (page) => {
      const user = `mail${Date.now()}`;
      const address = `${user}@demo.test`;
      await signIn(page, user);
      expect(page.url()).toContain("/__stepgate/enroll?challenge=");
      await enrollBySentCode(page, "Email", address, user);
      await page.goto(`${server.base}/__stepgate/settings`);
      const settings = (await page.textContent("main"))!;
      expect(settings).toContain("Email");
      expect(settings).toContain("Factor added");
    }));
});
