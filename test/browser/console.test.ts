/**
 * The admin console in a real browser, as the demo's admins use it: the security administrator
 * (`admin`) signs in to the portal, enrols, and runs the console by clicking; the support admin
 * sees settings read-only; two admins saving the same settings meet the conflict view; key
 * sign-in works and can be turned off. axe-core finds no violation on any console page.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret, TOTP } from "otpauth";
import { changeDemoPolicy, checkedPage, launchChromium, signIn } from "./browser-support";
import { adminInConsole, CONSOLE } from "./console-support";
import { startDevServer, type DevServer } from "./dev-server";
import { axeViolations, PHONE_VIEWPORT } from "./page-audit";

let server: DevServer;
let browser: Browser;
const stateDir = mkdtempSync(join(tmpdir(), "stepgate-console-"));
/** An iPhone 12–15's CSS width: the console's pages must read there without sideways scrolling. */
const PHONE_WIDTH = 390;
/** The deployment's bootstrap key, from the .dev.vars `npm run dev` made (read once it has). */
const adminKey = () => /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();

beforeAll(async () => {
  // Queues retry twice before dead-lettering, as in the workerd tests: a webhook delivery dies in seconds, not hours.
  server = await startDevServer({ stateDir, env: { STEPGATE_DEV_QUEUE_RETRIES: "2" } });
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

/** The page's axe-core violations in the light and the dark scheme, and no sideways scrolling (on a 390 px phone). */
async function expectAccessibleOnPhone(page: Page, name: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await expectAccessible(page, `${name} (${colorScheme})`);
  }
  expect(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"), `${name}: sideways scrolling`).toBe(0);
}

/**
 * A dead letter on the demo tenant, as production makes one: a webhook whose endpoint (a path the
 * demo portal does not have) fails each attempt of an audit event, its own change. (A ping would
 * not do: it is tried once, and never dead-lettered.)
 */
async function aDeadWebhookDelivery(): Promise<string> {
  const api = `${server.base}/__stepgate/admin/v1`;
  const headers = { Authorization: `Bearer ${adminKey()}`, "Content-Type": "application/json" };
  const made = await fetch(`${api}/webhooks`, {
    method: "POST",
    headers,
    body: JSON.stringify({ url: `${server.demoOrigin}/no-such-webhook`, eventTypes: ["webhook.updated"], description: "a receiver that is not there" }),
  });
  expect(made.status).toBe(201);
  const { id } = (await made.json()) as { id: string };
  const changed = await fetch(`${api}/webhooks/${id}`, {
    method: "PATCH",
    headers,
    body: JSON.stringify({ description: "a receiver that is still not there" }),
  });
  expect(changed.status).toBe(200);
  for (let i = 0; ; i++) {
    const dead = (await (await fetch(`${api}/events/dead`, { headers })).json()) as { events: Array<{ id: string }> };
    const found = dead.events.find((event) => event.id.startsWith(`${id}.`));
    if (found) return found.id;
    if (i === 120) throw new Error("the webhook's change was not dead-lettered within a minute");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Signs `user` in to the demo portal and, when `enrol`, sets up an authenticator app for them from "Set up 2FA". */
async function aCustomer(page: Page, user: string, enrol: boolean): Promise<void> {
  await signIn(server, page, user);
  if (!enrol) return;
  await page.goto(`${server.base}/__stepgate/enroll?factor=totp`);
  const secret = (await page.textContent("#secret"))!.replace(/\s+/g, "");
  await page.fill("#code", TOTP.generate({ secret: Secret.fromBase32(secret) }));
  await page.click("button[type=submit]");
  expect(await page.textContent("h1")).toBe("Save your backup codes");
}

/** The user ids in the console's users table, top to bottom. */
function listedUsers(page: Page): Promise<string[]> {
  return page.locator("#users tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-user") ?? ""));
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
      expect(await page.locator("#scopes li").count()).toBe(7);
      await expectAccessible(page, "overview (portal admin)");
    }));

  it("filters the users to the not enrolled, sorts them by last seen, and resets one enrolled user while the others keep their factors", async () => {
    const run = Date.now().toString(36);
    const [late, early, kept, reset] = [`late-${run}`, `early-${run}`, `kept-${run}`, `reset-${run}`];
    // Each customer in a browser of their own, one after another.
    for (const [user, enrol] of [
      [early, false],
      [kept, true],
      [reset, true],
      [late, false],
    ] as const) {
      const context = await browser.newContext();
      await aCustomer(await context.newPage(), user, enrol);
      await context.close();
    }

    await checkedPage(browser, "console-users", async (page) => {
      await adminInConsole(server, page, "admin");
      await page.click("nav.console >> text=Users");
      await expectAccessible(page, "users");
      await page.selectOption("#filter-status", { label: "Not enrolled" });
      await page.fill("#filter-q", "");
      await Promise.all([page.waitForURL(/status=not_enrolled/), page.click("text=Apply filters")]);
      const notEnrolled = await listedUsers(page);
      expect(notEnrolled).toEqual(expect.arrayContaining([late, early]));
      expect(notEnrolled).not.toContain(kept);
      expect(notEnrolled).not.toContain(reset);
      // Sorted by last seen: a time column sorts newest first when clicked.
      await Promise.all([page.waitForURL(/sort=-last_seen_at/), page.click("#users thead a[data-sort=last_seen_at]")]);
      expect(await page.getAttribute("#users thead th:has(a[data-sort=last_seen_at])", "aria-sort")).toBe("descending");
      const byLastSeen = await listedUsers(page);
      expect(byLastSeen.indexOf(late)).toBeLessThanOrEqual(byLastSeen.indexOf(early));
      await expectAccessible(page, "users filtered and sorted");

      // Search for the one to reset, open them, reset after the confirmation naming them.
      await page.click("text=Clear filters");
      await page.fill("#filter-q", reset);
      await Promise.all([page.waitForURL(/q=/), page.click("text=Apply filters")]);
      expect(await listedUsers(page)).toEqual([reset]);
      await page.click(`#users >> text=${reset}`);
      expect(await page.textContent("#status")).toBe("Enrolled");
      await expectAccessible(page, "user");
      await page.click("#reset");
      expect(await page.textContent("#reset-only")).toBe("Only this account is affected: no one else's factors change.");
      await expectAccessible(page, "reset confirmation");
      await page.click("#confirm-reset");
      expect(await page.textContent("#notice")).toBeTruthy();
      expect(await page.textContent("#status")).toBe("Not enrolled");

      // The other enrolled user keeps their authenticator app.
      await page.goto(`${server.base}${CONSOLE}/users/${encodeURIComponent(kept)}`);
      expect(await page.textContent("#status")).toBe("Enrolled");
      expect(await page.locator("#factors li").count()).toBe(1);
    });
  });

  it("shows the support desk's admin the security settings read-only, with the reason, and lets them work on users", () =>
    checkedPage(browser, "console-support", async (page) => {
      await adminInConsole(server, page, "support");
      const sections = await page.locator("nav.console a").allTextContents();
      expect(sections).toEqual(["Overview", "Security settings", "Users", "Activity", "Undelivered events", "Settings history"]);
      await page.click("nav.console >> text=Security settings");
      expect(await page.textContent("#read-only")).toContain("Your role can view but not change security settings.");
      expect(await page.isVisible("text=Save settings")).toBe(false);
      // Every field of the settings is there to read, none to change.
      expect(await page.locator('main input[name="enforcement"]').count()).toBe(3);
      expect(
        await page
          .locator("main :is(input, select, textarea):not([type=hidden]):not([form]):enabled")
          .evaluateAll((fields) => fields.filter((field) => !field.closest(".who")).length),
      ).toBe(0);
      await expectAccessible(page, "settings, read-only");
      for (const section of ["Activity", "Settings history"]) {
        await page.click(`nav.console >> text=${section}`);
        await expectAccessible(page, section);
      }
    }));

  it("meets the conflict view when another admin saved the same settings meanwhile, and applies its own change on top", async () => {
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const mine = await first.newPage();
      await adminInConsole(server, mine, "admin");
      await mine.goto(`${server.base}${CONSOLE}/settings`);
      // The other admin, signed in with the bootstrap key in a browser of their own.
      const theirs = await second.newPage();
      await theirs.goto(`${server.base}${CONSOLE}/sign-in`);
      await theirs.fill("input[name=key]", adminKey());
      await theirs.click("button[type=submit]");
      await theirs.goto(`${server.base}${CONSOLE}/settings`);
      await theirs.fill('input[name="lockout.maxAttempts"]', "7");
      await theirs.click("text=Save settings");
      expect(await theirs.textContent("#notice")).toContain("Saved.");

      await mine.fill('input[name="sendLimits.perUserPerHour"]', "9");
      await mine.click("text=Save settings");
      expect(await mine.textContent("#conflict")).toContain("Another admin saved these settings while you were editing them.");
      expect(await mine.textContent("#theirs")).toContain("7");
      expect(await mine.textContent("#mine")).toContain("9");
      await expectAccessible(mine, "settings conflict");
      await mine.click("#apply-mine");
      expect(await mine.textContent("#notice")).toContain("Saved.");
      const policy = (await (await fetch(`${server.base}/__stepgate/admin/v1/policy`, { headers: { Authorization: `Bearer ${adminKey()}` } })).json()) as {
        lockout: { maxAttempts: number };
        sendLimits: { perUserPerHour: number };
      };
      expect(policy.lockout.maxAttempts).toBe(7);
      expect(policy.sendLimits.perUserPerHour).toBe(9);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("has no axe-core violation on the API keys pages, with a key made and shown once", () =>
    checkedPage(browser, "console-keys", async (page) => {
      await adminInConsole(server, page, "admin");
      await page.click("nav.console >> text=API keys");
      await expectAccessible(page, "API keys");
      await page.fill("input[name=name]", "reporting");
      await page.check('input[name=scopes][value="audit:read"]');
      await page.click("text=Create the key");
      const secret = await page.inputValue("#new-key");
      expect(secret).toMatch(/^sgk_[0-9a-f]{16}_/);
      await expectAccessible(page, "API key created");
      const audit = await fetch(`${server.base}/__stepgate/admin/v1/audit?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
      expect(audit.status).toBe(200);
      await page.click("nav.console >> text=API keys");
      await page.click(`a[href$="/keys/${secret.slice(4, 20)}/revoke"]`);
      await expectAccessible(page, "revoke an API key");
      // A version of the settings, and what restoring it would change.
      await page.click("nav.console >> text=Settings history");
      await expectAccessible(page, "settings history");
      await page.locator(`form[action*="/restore"] button`).first().click();
      await expectAccessible(page, "restore a version");
    }));

  it("has no axe-core violation on the webhooks pages on a 390 px phone, with a webhook added, tested, given a new secret and deleted", async () => {
    // A receiver of our own on loopback (development allows it): the test event really arrives.
    const deliveries: Array<Record<string, string | string[] | undefined>> = [];
    const receiver = createHttpServer((request, response) => {
      deliveries.push(request.headers);
      request.resume();
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stepgate`;
    try {
      await checkedPage(
        browser,
        "console-webhooks",
        async (page) => {
          const fits = async (name: string) => {
            expect(await page.evaluate("document.documentElement.scrollWidth"), `${name}: no sideways scrolling`).toBeLessThanOrEqual(PHONE_WIDTH);
            await expectAccessible(page, name);
          };
          await adminInConsole(server, page, "admin");
          await page.click("nav.console >> text=Webhooks");
          await fits("webhooks");
          await page.fill("#webhook-url", "https://10.0.0.7/hook");
          await page.fill("#webhook-more", "Verify.Failed");
          await page.click("text=Add the webhook");
          expect(await page.textContent("#webhook-url-error")).toContain("is a private or local address.");
          expect(await page.textContent("#webhook-more-error")).toContain("Not event types:");
          await fits("webhooks, a refused form");
          await page.fill("#webhook-url", receiverUrl);
          await page.fill("#webhook-more", "");
          await page.check('input[name=eventTypes][value="verify.*"]');
          await page.click("text=Add the webhook");
          expect(await page.inputValue("#new-key")).toMatch(/^whsec_/);
          await fits("webhook added");
          await page.click("text=Go to the webhook");
          await fits("a webhook");
          await page.click("summary >> text=Change the settings");
          await fits("a webhook, its settings unfolded");
          await page.click(`form[action$="/test"] button`);
          expect(await page.textContent("#notice")).toContain("A test event is on its way.");
          for (let tries = 0; (await page.locator("#deliveries tbody tr").count()) === 0; tries++) {
            expect(tries, "the test event listed among the deliveries").toBeLessThan(40);
            await page.waitForTimeout(250);
            await page.reload();
          }
          expect(await page.textContent("#deliveries tbody tr")).toContain("Delivered");
          expect(deliveries.some((headers) => typeof headers["webhook-signature"] === "string")).toBe(true);
          await fits("a webhook with its deliveries");
          await page.click("text=Make a new secret");
          expect(await page.textContent("#overlap")).toContain("The old secret keeps signing beside it until");
          await fits("a new signing secret");
          await page.click("text=Go to the webhook");
          await page.click("a.button >> text=Delete");
          await fits("delete a webhook");
          await page.click("button >> text=Delete the webhook");
          expect(await page.textContent("#notice")).toBe("The webhook was deleted.");
          await fits("webhooks, one deleted");
        },
        { viewport: { width: PHONE_WIDTH, height: 844 } },
      );
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("has no axe-core violation on a 390 px phone on the undelivered events, with one listed and sent again", async () => {
    const deadId = await aDeadWebhookDelivery();
    await checkedPage(
      browser,
      "console-dead-letters",
      async (page) => {
        await adminInConsole(server, page, "admin");
        await page.click("nav.console >> text=Undelivered events");
        const row = page.locator(`#dead-letters tr[data-id="${deadId}"]`);
        expect(await row.textContent()).toContain("Webhook delivery");
        expect(await row.textContent()).toContain("Your endpoint answered 404");
        await expectAccessibleOnPhone(page, "undelivered events");
        await row.locator("text=Send again").click();
        expect(await page.textContent("#notice")).toContain("Sent again.");
        await expectAccessibleOnPhone(page, "undelivered events, sent again");
      },
      { viewport: PHONE_VIEWPORT },
    );
  });

  it("has no axe-core violation on a 390 px phone on the security alerts' settings, and saves a switch turned off", () =>
    checkedPage(
      browser,
      "console-settings-alerts",
      async (page) => {
        await adminInConsole(server, page, "admin");
        await page.click("nav.console >> text=Security settings");
        const section = page.locator("fieldset.group", { has: page.locator("legend", { hasText: "Security alerts to users" }) });
        await section.scrollIntoViewIfNeeded();
        expect(await section.locator('input[type=checkbox][name="notifications.deviceTrusted"]').isChecked()).toBe(true);
        await expectAccessibleOnPhone(page, "settings with the security alerts");
        await section.locator("text=A device was trusted to skip verification").click();
        await page.click("text=Save settings");
        expect(await page.textContent("#notice")).toContain("Saved.");
        expect(await page.locator('input[type=checkbox][name="notifications.deviceTrusted"]').isChecked()).toBe(false);
        const policy = (await (await fetch(`${server.base}/__stepgate/admin/v1/policy`, { headers: { Authorization: `Bearer ${adminKey()}` } })).json()) as {
          notifications: { deviceTrusted: boolean };
        };
        expect(policy.notifications.deviceTrusted).toBe(false);
      },
      { viewport: PHONE_VIEWPORT },
    ));

  // Last: it changes what the demo tenant asks of everyone.
  it("turns on mandatory 2FA for withdrawals only: a new customer then enrols at their first withdrawal, and deposits without", async () => {
    await checkedPage(browser, "console-settings", async (page) => {
      await adminInConsole(server, page, "admin");
      await page.click("nav.console >> text=Security settings");
      await expectAccessible(page, "settings");
      await page.check('input[name="enforcement"][value="required"]');
      for (const box of await page.locator('input[type=checkbox][name^="operations."][name$=".enabled"]').all()) {
        await box.setChecked((await box.getAttribute("name")) === "operations.withdraw.enabled");
      }
      await page.click("text=Save settings");
      expect(await page.textContent("#notice")).toContain("Saved.");
      expect(await page.textContent("#status")).toContain("admin");
      await expectAccessible(page, "settings saved");
    });
    await checkedPage(browser, "console-settings-customer", async (page) => {
      await signIn(server, page, `fresh-${Date.now().toString(36)}`);
      expect(new URL(page.url()).pathname).toBe("/");
      await page.goto(`${server.base}/wallet/deposit`);
      await page.fill("form[action='/wallet/deposit'] input[name=amount]", "50");
      await page.click("form[action='/wallet/deposit'] button");
      expect(new URL(page.url()).pathname).toMatch(/^\/receipts\//);
      await page.goto(`${server.base}/wallet/withdraw`);
      await page.fill("form[action='/wallet/withdraw'] input[name=amount]", "20");
      await page.click("form[action='/wallet/withdraw'] button");
      await page.waitForLoadState();
      expect(page.url()).toContain("/__stepgate/enroll");
    });
  });
});
