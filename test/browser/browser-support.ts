/**
 * What the real-browser tests share: headless Chromium's launch, a page that fails the test on a
 * console error or a Content-Security-Policy violation, signing in to the demo portal, the dev
 * outbox's codes, the demo tenant's policy changed as an admin would, and a virtual authenticator
 * for passkeys.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { expect } from "vitest";
import type { DevServer } from "./dev-server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/** Headless Chromium (`CHROMIUM_PATH`, else /usr/bin/chromium), as every browser test and script starts it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Runs `steps` on a page of a new context (`options`: its viewport, permissions) that records
 * console errors, uncaught exceptions and Content-Security-Policy violations; screenshots it into
 * `test/browser/screenshots/` when the steps fail, and fails when the page logged an error or
 * broke its policy.
 */
export async function checkedPage(browser: Browser, name: string, steps: (page: Page) => Promise<void>, options: BrowserContextOptions = {}): Promise<void> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors: string[] = [];
  // Reported by the browser whatever its console says about it (a blocked script, style, image).
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI))',
  );
  page.on("console", (message) => {
    // Chromium also logs every non-2xx answer as a console error: the steps check those.
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
    await context.close();
  }
  expect(errors).toEqual([]);
}

/** Signs in to the demo portal as `user` (any password). */
export async function signIn(server: DevServer, page: Page, user: string): Promise<void> {
  await page.goto(`${server.base}/login`);
  await page.fill("input[name=username]", user);
  await page.fill("input[name=password]", "anything");
  await page.click("button");
  // The click returns once the next page's address is known, perhaps before that page is read.
  await page.waitForLoadState();
}

/**
 * The code of the newest dev-outbox message to `to` that carries one (a security alert, which
 * may arrive after it, carries none): the outbox narrowed to it (`?to=`, which matches a part of
 * an address, so the address is then matched whole), its code as the outbox kept it apart rather
 * than read out of the words.
 */
export async function lastCodeTo(server: DevServer, to: string): Promise<string> {
  const outbox = (await (await fetch(`${server.base}/__stepgate/dev/outbox?format=json&to=${encodeURIComponent(to)}`)).json()) as {
    messages: Array<{ to: string; code: string | null }>;
  };
  const code = outbox.messages.find((m) => m.to === to && m.code !== null)?.code;
  expect(code, `a code sent to ${to}`).toBeTruthy();
  return code!;
}

/** The parts of a policy (as the admin API gives it) the tests change. */
export type PolicyJson = Record<string, unknown> & {
  enforcement: string;
  factors: Record<string, Record<string, unknown>>;
  trustedDevices: Record<string, unknown>;
};

/** Changes the demo tenant's policy through the admin API, as an admin would. */
export async function changeDemoPolicy(server: DevServer, change: (policy: PolicyJson) => void): Promise<void> {
  const adminKey = /^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();
  const headers = { Authorization: `Bearer ${adminKey}`, "Content-Type": "application/json" };
  const current = await fetch(`${server.base}/__stepgate/admin/v1/policy`, { headers });
  const policy = (await current.json()) as PolicyJson;
  change(policy);
  const put = await fetch(`${server.base}/__stepgate/admin/v1/policy`, {
    method: "PUT",
    headers: { ...headers, "If-Match": current.headers.get("ETag")! },
    body: JSON.stringify(policy),
  });
  expect(put.status).toBe(200);
}

/** One of Chromium's virtual authenticators (DevTools Protocol `WebAuthn`), as a phone's or laptop's built-in one. */
export interface VirtualAuthenticator {
  /** The credentials it holds, with their signature counters. */
  credentials(): Promise<Array<{ credentialId: string; rpId?: string; signCount: number; isResidentCredential: boolean }>>;
  /** Takes it away from the browser, with its credentials. */
  remove(): Promise<void>;
}

/**
 * Gives `page`'s browser a platform authenticator that verifies its user at once (a touch of
 * the fingerprint reader that always succeeds), holding no credential yet. WebAuthn prompts on
 * that page are answered by it; with none, they would wait for a real one.
 * @example
 * const authenticator = await addVirtualAuthenticator(page); … await authenticator.credentials()
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials,
    remove: async () => {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    },
  };
}
