/**
 * Every hosted page, in every state a user meets it, in every language, in a real browser on a
 * 390 × 844 phone: axe-core finds no violation in the light or the dark colour scheme, nothing
 * scrolls sideways, the page is in the language asked for, and no page logs a script error or
 * breaks its Content-Security-Policy.
 *
 * Each language walks the flows once with a user of its own, in one browser context, the
 * language chosen in the menu (`?lang=`, then kept in the `__Host-` cookie, which Chromium keeps
 * for http://localhost as for https): the forced enrolment (the choice, a phone number wrong
 * then right, the code from the dev outbox, the backup codes), an authenticator app added (the
 * QR code), a passkey added (Chromium's virtual authenticator), a withdrawal held on the demo
 * portal (its challenge by each factor — the passkey first, and an authenticator without it —
 * a code asked for, a wrong code, a backup code that sends it, the same request loaded again), a form that
 * cannot be held (the step-up page), the settings and their confirmations, a forged form, wrong
 * codes to the lockout, a challenge that does not exist, the dev outbox, and signing out.
 *
 * Screenshots (full page, light) of every state in en, ar and ja are always written to
 * `test/browser/screenshots/every-page/<language>/` — about 75 PNGs, cheap — for a reviewer to
 * look at; a state that fails a check in any language is shot too (and per scheme when axe
 * failed). The folder is git-ignored and left behind by `.ci/run` as its artefact.
 *
 * Not reachable as a page from a browser here: a 429 or 503 error page (a 429 is shown beside
 * the form it answers — the lockout, a code asked for too soon — and a 503 needs a broken
 * policy or a failing Durable Object).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../../src/config/languages";
import { addVirtualAuthenticator, changeDemoPolicy, lastCodeTo, launchChromium } from "./browser-support";
import { type Audit, auditedContext, axeViolations, SCREENSHOT_DIR } from "./page-audit";
import { startDevServer, type DevServer } from "./dev-server";

/** The languages whose every state is kept as a screenshot: left to right, right to left, and CJK. */
const SCREENSHOT_LANGUAGES: readonly Language[] = ["en", "ar", "ja"];
const WRONG_BACKUP_CODE = "aaaaa-aaaaa";
/** "Too faint" in scripts axe reads differently: Latin, Arabic (joined letters), Japanese, Thai. */
const FAINT = { en: "Too faint", ar: "باهت جدًا", ja: "薄すぎる", th: "จางเกินไป" };

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-every-page-"));

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
  // The demo tenant with 2FA required (the forced enrolment) and trusted devices (the checkbox).
  await changeDemoPolicy(server, (policy) => {
    policy.enforcement = "required";
    policy.trustedDevices = { ...policy.trustedDevices, enabled: true };
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Submits the form `selector` picks and waits for the page it leads to. */
async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.click(`${selector} button[type=submit]`)]);
}

/** Submits the demo portal's withdrawal form; stepgate holds it and shows its challenge. */
async function withdraw(page: Page): Promise<string> {
  await page.goto(`${server.base}/wallet/withdraw`);
  await Promise.all([page.waitForEvent("load"), page.click("form[action='/wallet/withdraw'] button")]);
  expect(new URL(page.url()).pathname).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
  return page.url();
}

/** Every state of the pages for a new user, in `language`, each checked by `audit`. */
async function walk(page: Page, language: Language, audit: Audit, index: number): Promise<void> {
  const check = (name: string) => audit.check(page, name);
  const base = server.base;
  const user = `axe-${language}-${Date.now()}`;
  const phone = `+1415555${String(index).padStart(4, "0")}`;

  // Signing in to the portal: 2FA is required, so the gate sends the user to enrol.
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "anything");
  await Promise.all([page.waitForEvent("load"), page.click("button")]);
  expect(page.url()).toContain("/__stepgate/enroll?challenge=");
  await page.goto(`${page.url()}&lang=${language}`);
  await check("enrol, required: choose a factor");
  await Promise.all([page.waitForEvent("load"), page.click("a[href*='factor=sms']")]);
  await check("enrol: phone number");
  await page.fill("#address", "12");
  await submit(page, "form[action='/__stepgate/enroll/sms']");
  await check("enrol: phone number, not one");
  await page.fill("#address", phone);
  await submit(page, "form[action='/__stepgate/enroll/sms']");
  await check("enrol: phone number, code sent");
  await page.fill("#code", await lastCodeTo(server, phone));
  await submit(page, "form[action='/__stepgate/enroll']");
  await check("enrol: backup codes");
  const backupCodes = (await page.locator("#backup-codes li").allTextContents()).map((code) => code.trim());
  expect(backupCodes).toHaveLength(10);

  // Another factor, within the minutes enrolling counts as a fresh verification.
  await page.goto(`${base}/__stepgate/enroll?factor=totp`);
  await check("enrol: authenticator app (QR code)");
  const secret = (await page.textContent("#secret"))!.replace(/\s/g, "");
  await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
  await submit(page, "form[action='/__stepgate/enroll']");
  await check("enrol: factor added");
  // A passkey, made by the browser's own authenticator (Chromium's virtual one).
  const authenticator = await addVirtualAuthenticator(page);
  await page.goto(`${base}/__stepgate/enroll?factor=webauthn`);
  await check("enrol: passkey");
  await submit(page, "form[data-passkey]");
  expect(await authenticator.credentials()).toHaveLength(1);
  await page.goto(`${base}/__stepgate/enroll`);
  await check("enrol: choose a factor");
  await page.goto(`${base}/__stepgate/enroll?factor=email`);
  await check("enrol: email address");

  // A withdrawal held on the demo portal: its challenge shows what it approves.
  const challenge = await withdraw(page);
  await check("challenge: passkey, approving a withdrawal");
  // On a device without that passkey the browser finds none, and the page says the prompt came to nothing.
  await authenticator.remove();
  await addVirtualAuthenticator(page);
  await page.click("form[data-passkey] button[type=submit]");
  await page.locator("#passkey-cancelled").waitFor({ state: "visible" });
  await check("challenge: passkey, none on this device");
  await page.goto(`${challenge}?factor=totp`);
  await check("challenge: authenticator app, approving a withdrawal");
  await page.goto(`${challenge}?factor=sms`);
  await check("challenge: text message");
  await submit(page, `form[action$='/send']`);
  // Sent, or "wait" while the enrolment's text is under 30 s old: either is a state of the page.
  await check("challenge: text message, a code asked for");
  await page.goto(`${challenge}?factor=backup_code`);
  await check("challenge: backup code");
  await page.fill("#code", WRONG_BACKUP_CODE);
  await submit(page, `form[action$='${new URL(challenge).pathname}']`);
  await check("challenge: wrong code");
  await page.fill("#code", backupCodes[0]!);
  await submit(page, `form[action$='${new URL(challenge).pathname}']`);
  expect(new URL(page.url()).pathname).toMatch(/^\/receipts\//);
  await page.goto(`${challenge}/complete`);
  await check("error: already sent (409)");

  // A form stepgate cannot hold (it uploads): the gate's own page leads on to the challenge.
  await page.goto(`${base}/wallet/withdraw`);
  await Promise.all([
    page.waitForEvent("load"),
    page.evaluate(`(() => { const form = document.querySelector("form[action='/wallet/withdraw']"); form.enctype = "multipart/form-data"; form.submit(); })()`),
  ]);
  await check("step-up required");

  await page.goto(`${base}/__stepgate/settings`);
  await check("settings");
  await submit(page, "form[action$='/remove']");
  await check("settings: remove a factor?");
  await page.goto(`${base}/__stepgate/settings/backup-codes`);
  await check("settings: new backup codes?");
  await submit(page, "form[action='/__stepgate/settings/backup-codes']");
  await check("settings: new backup codes");
  await page.goto(`${base}/__stepgate/settings/backup-codes`);
  await page.evaluate(`document.querySelector("input[name=csrf]").value = "forged"`);
  await submit(page, "form[action='/__stepgate/settings/backup-codes']");
  await check("error: form expired (403)");

  // Wrong codes until the user is locked out.
  const locked = await withdraw(page);
  await page.goto(`${locked}?factor=backup_code`);
  for (let i = 0; i < 6 && !(await page.isVisible("#locked")); i++) {
    await page.fill("#code", WRONG_BACKUP_CODE);
    await submit(page, `form[action$='${new URL(locked).pathname}']`);
  }
  await check("challenge: locked out");

  await page.goto(`${base}/__stepgate/challenge/${"x".repeat(22)}`);
  await check("error: no such challenge (404)");
  await page.goto(`${base}/__stepgate/dev/outbox`);
  await check("dev outbox");
  await page.goto(`${base}/__stepgate/dev/outbox?to=nobody`);
  await check("dev outbox, none to a recipient");
  await page.context().clearCookies({ name: "portal_session" });
  await page.goto(`${base}/__stepgate/settings`);
  await check("error: signed out (401)");
}

describe("every hosted page in every language", () => {
  it("finds text too faint to read in any script, Arabic's joined letters too", async () => {
    const page = await browser.newPage();
    for (const [lang, words] of Object.entries(FAINT)) {
      await page.setContent(`<html lang="${lang}"><title>${words}</title><main><h1>${words}</h1><p style="color:#bbb">${words}</p></main></html>`);
      expect(
        (await axeViolations(page)).map((v) => v.id),
        lang,
      ).toEqual(["color-contrast"]);
    }
    await page.close();
  });

  // Two languages at a time: one browser tab waits on the dev server while the other works.
  it.concurrent.for(LANGUAGES.map((language, index) => [language, index] as const))(
    "passes axe-core in light and dark and fits a 390 px phone in %s",
    { timeout: 300_000 },
    async ([language, index], { expect }) => {
      const { context, audit } = await auditedContext(browser, language, SCREENSHOT_LANGUAGES.includes(language));
      const page = await context.newPage();
      try {
        await walk(page, language, audit, index);
      } catch (error) {
        // Where the walk stopped, for whoever reads the failure.
        await page.screenshot({ path: `${SCREENSHOT_DIR}/${language}/stopped-here.png`, fullPage: true }).catch(() => undefined);
        throw error;
      } finally {
        await context.close();
      }
      expect(audit.found).toEqual([]);
    },
  );
});
