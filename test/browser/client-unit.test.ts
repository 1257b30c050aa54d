/**
 * The SPA client (`assets/client.js`, as `/__stepgate/client.js` serves it) in real headless
 * Chromium against a fake stepgate (`fake-stepgate.ts`): the dialog, popup and redirect modes,
 * the held request sent once, a request not held sent again intact, cancel, expiry, lockout,
 * forged messages ignored, `install()` and `resume()`, focus and the dialog's name, axe-core.
 * The portal page's policy allows no inline style: the dialog must do without.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedPage } from "./browser-support";
import { type FakeStepgate, startFakeStepgate } from "./fake-stepgate";

/** An iPhone 12–15's CSS viewport: the dialog must fit it. */
const PHONE_VIEWPORT = { width: 390, height: 844 };
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** How a call ended, as the test page recorded it. */
interface Outcome {
  state: "pending" | "resolved" | "rejected";
  status?: number;
  body?: string;
  response?: null;
  name?: string;
  code?: string;
  challengeId?: string;
  retryAfter?: number;
  isStepUpError?: boolean;
}

let fake: FakeStepgate;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeStepgate();
  // As browser-support's launchChromium, but with the popup blocker on (playwright turns it off)
  // so that a popup opened without the user's click is really refused.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    ignoreDefaultArgs: ["--disable-popup-blocking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await fake?.close();
});

/** Runs `steps` on the test portal page (`query` added to its address), failing on a script error or CSP violation. */
function onPortal(name: string, steps: (page: Page) => Promise<void>, query = ""): Promise<void> {
  return checkedPage(
    browser,
    `client-${name}`,
    async (page) => {
      await page.goto(`${fake.origin}/portal${query}`);
      await steps(page);
    },
    { viewport: PHONE_VIEWPORT },
  );
}

/** Starts `stepgate.fetch(url, init, options)` on the page, its outcome recorded as `name`. */
async function call(page: Page, name: string, url: string, init: object = {}, options: object = {}): Promise<void> {
  await page.evaluate(`call(${JSON.stringify(name)}, ${JSON.stringify(url)}, ${JSON.stringify(init)}, ${JSON.stringify(options)})`);
}

/** The page's Send button will call `stepgate.fetch(url, init)` (a real click: the user's activation, and focus on it). */
async function clickSend(page: Page, url: string, init: object = {}, options: object = {}): Promise<void> {
  await page.evaluate(`window.clickCall = ${JSON.stringify({ url, init, options })}`);
  await page.click("#send");
}

// The waits below are functions, not strings: the page's policy forbids eval, which a string would need.

async function outcomeOf(page: Page, name: string): Promise<Outcome> {
  await page.waitForFunction((key) => (globalThis as any).outcomes[key]?.state !== "pending", name);
  return (await page.evaluate(`window.outcomes[${JSON.stringify(name)}]`)) as Outcome;
}

/** Waits until the page has heard a message like `message` (its type, and origin and challengeId when given). */
async function heard(page: Page, message: { type: string; origin?: string; challengeId?: string }): Promise<void> {
  await page.waitForFunction(
    (like) =>
      (globalThis as any).messagesSeen.some(
        (m: Record<string, string>) =>
          m.type === like.type && (!like.origin || m.origin === like.origin) && (!like.challengeId || m.challengeId === like.challengeId),
      ),
    message,
  );
}

async function stateOf(page: Page, name: string): Promise<string> {
  return (await page.evaluate(`window.outcomes[${JSON.stringify(name)}].state`)) as string;
}

const challengeFrame = (page: Page) => page.frameLocator("dialog iframe");

/** The requests stepgate received for `path`. */
function requestsTo(path: string): string[] {
  return fake.requests.filter((r) => r.path.startsWith(path)).map((r) => `${r.method} ${r.path} ${r.body}`);
}

/** The POSTs to the completeUrl of `path`'s challenges. */
function completionsOf(path: string): string[] {
  const ids = new Set(
    fake
      .challenges()
      .filter((c) => c.path === path)
      .map((c) => `/__stepgate/api/challenges/${c.id}/complete`),
  );
  return fake.requests.filter((r) => ids.has(r.path)).map((r) => `${r.method} ${r.path} ${r.body}`);
}

/** The newest challenge made for `path`. */
function challengeFor(path: string) {
  return fake.challenges().findLast((c) => c.path === path)!;
}

const WITHDRAWAL = {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ amount: "2500.00", iban: "DE89370400440532013000" }),
};

describe("stepgate.fetch in a dialog", () => {
  it("shows the challenge of a held request in a dialog and, once verified, resolves with the origin's answer to it, sent once", () =>
    onPortal("held", async (page) => {
      fake.protect("/api/held", { held: true });
      await clickSend(page, "/api/held", WITHDRAWAL);
      const dialog = page.getByRole("dialog", { name: "Confirm your withdrawal" });
      await dialog.waitFor();
      const challenge = challengeFor("/api/held");
      const src = new URL((await page.getAttribute("dialog iframe", "src"))!);
      expect([src.origin, src.pathname, src.searchParams.get("embed"), src.searchParams.get("lang")]).toEqual([
        fake.origin,
        `/__stepgate/challenge/${challenge.id}`,
        "dialog",
        "en",
      ]);
      // It fits a 390 px phone.
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      expect(box.height).toBeLessThanOrEqual(PHONE_VIEWPORT.height);
      expect(fake.originReceived.filter((r) => r.path === "/api/held")).toEqual([]);

      await challengeFrame(page).locator("#verify").click();
      const outcome = await outcomeOf(page, "click");
      expect(outcome).toMatchObject({ state: "resolved", status: 201 });
      expect(JSON.parse(outcome.body!)).toMatchObject({ received: WITHDRAWAL.body, path: "/api/held" });
      expect(requestsTo(`/__stepgate/api/challenges/${challenge.id}/complete`)).toEqual([`POST /__stepgate/api/challenges/${challenge.id}/complete {}`]);
      expect(fake.originReceived.filter((r) => r.path === "/api/held")).toHaveLength(1);
      expect(await page.locator("dialog").count()).toBe(0);
      // Focus is back on the button that started it.
      expect(await page.evaluate("document.activeElement.id")).toBe("send");
    }));

  it("is named in the page's language until the challenge page has loaded, then by the page's title, and passes it the language", () =>
    onPortal(
      "named",
      async (page) => {
        fake.protect("/api/named", { held: true });
        const release = fake.holdNextPage();
        await call(page, "named", "/api/named", WITHDRAWAL);
        await page.getByRole("dialog", { name: "Bestätigen Sie, dass Sie es sind" }).waitFor();
        expect(await page.getAttribute("dialog iframe", "title")).toBe("Bestätigen Sie, dass Sie es sind");
        expect(new URL((await page.getAttribute("dialog iframe", "src"))!).searchParams.get("lang")).toBe("de-AT");
        release();
        await page.getByRole("dialog", { name: "Confirm your withdrawal" }).waitFor();
        expect(await page.getAttribute("dialog iframe", "title")).toBe("Confirm your withdrawal");
        await challengeFrame(page).locator("#cancel").click();
        expect(await outcomeOf(page, "named")).toMatchObject({ state: "rejected", code: "cancelled" });
      },
      "?lang=de-AT",
    ));

  it("sends a request stepgate did not hold again, once, with its body intact, after verifying (an enrolment too)", () =>
    onPortal("not-held", async (page) => {
      fake.protect("/api/profile", { held: false, code: "enrollment_required" });
      const body = "email=new%40example.com&note=caf%C3%A9+%E2%9C%93";
      await call(page, "plain", "/api/profile", { method: "PUT", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
      await page.getByRole("dialog", { name: "Set up two-factor verification" }).waitFor();
      const challenge = challengeFor("/api/profile");
      const src = new URL((await page.getAttribute("dialog iframe", "src"))!);
      expect([src.pathname, src.searchParams.get("challenge"), src.searchParams.get("embed")]).toEqual(["/__stepgate/enroll", challenge.id, "dialog"]);
      await challengeFrame(page).locator("#verify").click();
      const outcome = await outcomeOf(page, "plain");
      expect(outcome).toMatchObject({ state: "resolved", status: 201 });
      expect(JSON.parse(outcome.body!).received).toBe(body);
      expect(requestsTo("/api/profile")).toEqual([`PUT /api/profile ${body}`, `PUT /api/profile ${body}`]);
      expect(fake.originReceived.filter((r) => r.path === "/api/profile")).toHaveLength(1);
      expect(requestsTo(`/__stepgate/api/challenges/${challenge.id}/complete`)).toEqual([]);
    }));

  it("rejects not_completed when the request sent again still needs a step-up", () =>
    onPortal("not-completed", async (page) => {
      fake.protect("/api/stubborn", { held: false, grantWorks: false });
      await call(page, "stubborn", "/api/stubborn", { method: "POST", body: "x=1" });
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "stubborn")).toMatchObject({ state: "rejected", code: "not_completed", isStepUpError: true });
      expect(requestsTo("/api/stubborn")).toHaveLength(2);
      expect(await page.locator("dialog").count()).toBe(0);
    }));
});

describe("a challenge the user does not finish", () => {
  it("is cancelled by Escape, even before its page has loaded: rejects cancelled, sends nothing, and gives focus back", () =>
    onPortal("escape", async (page) => {
      fake.protect("/api/escape", { held: true });
      const release = fake.holdNextPage();
      await clickSend(page, "/api/escape", WITHDRAWAL);
      await page.locator("dialog[open]").waitFor();
      await page.keyboard.press("Escape");
      const outcome = await outcomeOf(page, "click");
      expect(outcome).toMatchObject({
        state: "rejected",
        name: "StepUpError",
        code: "cancelled",
        challengeId: challengeFor("/api/escape").id,
        isStepUpError: true,
      });
      release();
      expect(await page.locator("dialog").count()).toBe(0);
      expect(await page.evaluate("document.activeElement.id")).toBe("send");
      expect(completionsOf("/api/escape")).toEqual([]);
      expect(fake.originReceived.filter((r) => r.path === "/api/escape")).toEqual([]);
    }));

  it("is cancelled by the page's cancelled message (its Cancel link, or Escape inside it): rejects cancelled, sends nothing", () =>
    onPortal("cancel", async (page) => {
      fake.protect("/api/cancel", { held: true });
      await clickSend(page, "/api/cancel", WITHDRAWAL);
      await challengeFrame(page).locator("#cancel").click();
      expect(await outcomeOf(page, "click")).toMatchObject({ state: "rejected", code: "cancelled" });
      expect(await page.evaluate("document.activeElement.id")).toBe("send");

      await call(page, "escape-inside", "/api/cancel", WITHDRAWAL);
      await challengeFrame(page).locator("#verify").focus();
      await page.keyboard.press("Escape");
      expect(await outcomeOf(page, "escape-inside")).toMatchObject({ state: "rejected", code: "cancelled" });
      const seen = (await page.evaluate("messagesSeen")) as Array<{ type: string }>;
      expect(seen.map((m) => m.type)).toEqual(["stepgate:cancelled", "stepgate:cancelled"]);
      expect(completionsOf("/api/cancel")).toEqual([]);
      expect(fake.originReceived.filter((r) => r.path === "/api/cancel")).toEqual([]);
      expect(await page.locator("dialog").count()).toBe(0);
    }));

  it("expires: the dialog closes when its time is up and the call rejects expired", () =>
    onPortal("expiry", async (page) => {
      fake.protect("/api/expiring", { held: true, expiresInMs: 1_500 });
      const started = Date.now();
      await call(page, "expiring", "/api/expiring", WITHDRAWAL);
      await page.locator("dialog[open]").waitFor();
      expect(await outcomeOf(page, "expiring")).toMatchObject({ state: "rejected", code: "expired" });
      // Not before its time (by stepgate's clock, whose Date header counts whole seconds).
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(await page.locator("dialog").count()).toBe(0);
      expect(completionsOf("/api/expiring")).toEqual([]);
    }));

  it("locked: the dialog stays to say so; closed, the call rejects locked with the page's retryAfter", () =>
    onPortal("locked", async (page) => {
      fake.protect("/api/locked", { held: true });
      await call(page, "locked", "/api/locked", WITHDRAWAL);
      await challengeFrame(page).locator("#lock").click();
      await heard(page, { type: "stepgate:locked" });
      await page.waitForTimeout(300);
      expect(await stateOf(page, "locked")).toBe("pending");
      expect(await page.locator("dialog[open]").count()).toBe(1);
      await challengeFrame(page).locator("#cancel").click();
      expect(await outcomeOf(page, "locked")).toMatchObject({ state: "rejected", code: "locked", retryAfter: 300 });
      expect(completionsOf("/api/locked")).toEqual([]);
    }));

  it("at completeUrl: a 429 rejects locked with its Retry-After; a challenge stepgate no longer knows rejects expired", () =>
    onPortal("complete-refused", async (page) => {
      fake.protect("/api/rate-limited", { held: true, complete: "locked" });
      fake.protect("/api/forgotten", { held: true, complete: "forgotten" });
      await call(page, "rate-limited", "/api/rate-limited", WITHDRAWAL);
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "rate-limited")).toMatchObject({ state: "rejected", code: "locked", retryAfter: 60 });
      await call(page, "forgotten", "/api/forgotten", WITHDRAWAL);
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "forgotten")).toMatchObject({ state: "rejected", code: "expired" });
      expect(fake.originReceived.filter((r) => r.path === "/api/rate-limited" || r.path === "/api/forgotten")).toEqual([]);
    }));

  it("is cancelled by aborting the request: the dialog closes and the call rejects with the abort", () =>
    onPortal("abort", async (page) => {
      fake.protect("/api/abort", { held: true });
      await page.evaluate(`window.controller = new AbortController(); call("abort", "/api/abort", { method: "POST", body: "x", signal: controller.signal })`);
      await challengeFrame(page).locator("#verify").waitFor();
      await page.evaluate("controller.abort()");
      expect(await outcomeOf(page, "abort")).toMatchObject({ state: "rejected", name: "AbortError" });
      expect(await page.locator("dialog").count()).toBe(0);
      expect(completionsOf("/api/abort")).toEqual([]);
    }));
});

describe("the messages the client listens to", () => {
  it("ignores a verified from a foreign origin, from another window of the page, and for another challenge", () =>
    onPortal("forged", async (page) => {
      fake.protect("/api/forged", { held: true });
      await call(page, "forged", "/api/forged", WITHDRAWAL);
      await challengeFrame(page).locator("#verify").waitFor();
      const id = challengeFor("/api/forged").id;
      const seen = (origin: string, challengeId: string) => heard(page, { type: "stepgate:verified", origin, challengeId });

      // The dialog's own frame, led to another origin, posts "verified" for this challenge.
      await challengeFrame(page).locator("#foreign").click();
      await seen(fake.foreignOrigin, id);
      // A frame of the page's own origin that is not the challenge's says the same.
      await page.evaluate(`document.body.append(Object.assign(document.createElement("iframe"), { src: "/other-frame?challenge=${id}", title: "other" }))`);
      await seen(fake.origin, id);
      expect(await stateOf(page, "forged")).toBe("pending");
      expect(await page.locator("dialog[open]").count()).toBe(1);

      // Back on the challenge's page, which speaks for another challenge: still not this one.
      await page.evaluate(`document.querySelector("dialog iframe").src = ${JSON.stringify(`${fake.origin}/__stepgate/challenge/${id}?embed=dialog`)}`);
      await challengeFrame(page).locator("#other").click();
      await seen(fake.origin, `another-${id}`);
      expect(await stateOf(page, "forged")).toBe("pending");
      expect(completionsOf("/api/forged")).toEqual([]);

      // Its own word ends it.
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "forged")).toMatchObject({ state: "resolved", status: 201 });
      expect(challengeFor("/api/forged").completions).toBe(1);
    }));

  it("shows one challenge at a time: the second waits for the first to end", () =>
    onPortal("one-at-a-time", async (page) => {
      fake.protect("/api/first", { held: true });
      fake.protect("/api/second", { held: true });
      await call(page, "first", "/api/first", WITHDRAWAL);
      await challengeFrame(page).locator("#verify").waitFor();
      await call(page, "second", "/api/second", WITHDRAWAL);
      await expect.poll(() => fake.challenges().some((c) => c.path === "/api/second")).toBe(true);
      await page.waitForTimeout(300);
      expect(await page.locator("dialog").count()).toBe(1);
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "first")).toMatchObject({ state: "resolved", status: 201 });
      expect(await stateOf(page, "second")).toBe("pending");
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "second")).toMatchObject({ state: "resolved", status: 201 });
      expect([challengeFor("/api/first").completions, challengeFor("/api/second").completions]).toEqual([1, 1]);
    }));
});

describe("answers that are not stepgate's step-up", () => {
  it("are given unchanged, without a dialog: another 401, and a step-up whose challenge is on another origin", () =>
    onPortal("not-ours", async (page) => {
      await call(page, "expired-session", "/api/session-expired", { method: "POST", body: "x" });
      const outcome = await outcomeOf(page, "expired-session");
      expect(outcome).toMatchObject({ state: "resolved", status: 401 });
      expect(JSON.parse(outcome.body!)).toMatchObject({ code: "session_expired" });

      fake.protect("/api/phishing", { held: false, challengeUrl: "https://login.portal-verify.example/__stepgate/challenge/x" });
      await call(page, "phishing", "/api/phishing", { method: "POST", body: "x" });
      expect(await outcomeOf(page, "phishing")).toMatchObject({ state: "resolved", status: 401 });
      expect(await page.locator("dialog").count()).toBe(0);
    }));
});

describe("the other modes", () => {
  it("popup: shows the challenge in a popup and resolves once verified there; closing the popup cancels", () =>
    onPortal("popup", async (page) => {
      fake.protect("/api/popup", { held: true });
      await page.evaluate(`stepgate.configure({ mode: "popup" })`);
      const opened = page.waitForEvent("popup");
      await clickSend(page, "/api/popup", WITHDRAWAL);
      const popup = await opened;
      expect(new URL(popup.url()).searchParams.get("embed")).toBe("popup");
      expect(await page.locator("dialog").count()).toBe(0);
      await popup.locator("#verify").click();
      const outcome = await outcomeOf(page, "click");
      expect(outcome).toMatchObject({ state: "resolved", status: 201 });
      expect(challengeFor("/api/popup").completions).toBe(1);
      await expect.poll(() => popup.isClosed()).toBe(true);

      const again = page.waitForEvent("popup");
      await clickSend(page, "/api/popup", WITHDRAWAL);
      await (await again).close();
      expect(await outcomeOf(page, "click")).toMatchObject({ state: "rejected", code: "cancelled" });
      expect(challengeFor("/api/popup").completions).toBe(0);
    }));

  it("popup: when the browser blocks the popup (no click opened it), shows the dialog instead", () => {
    // The page calls as it loads: protected before it does.
    fake.protect("/api/auto", { held: true });
    return onPortal(
      "popup-blocked",
      async (page) => {
        await page.locator("dialog[open]").waitFor();
        expect(page.context().pages()).toHaveLength(1);
        await challengeFrame(page).locator("#verify").click();
        expect(await outcomeOf(page, "auto")).toMatchObject({ state: "resolved", status: 201 });
      },
      "?auto=popup",
    );
  });

  it("redirect: leaves for the challenge, comes back, and resume() sends the held request once", () =>
    onPortal(
      "redirect",
      async (page) => {
        fake.protect("/api/redirect", { held: true });
        await call(page, "redirect", "/api/redirect", WITHDRAWAL, { mode: "redirect" });
        await page.waitForURL(/\/__stepgate\/challenge\//);
        const url = new URL(page.url());
        expect([url.searchParams.get("embed"), url.searchParams.get("return_to")]).toEqual(["redirect", "/portal?from=wallet"]);
        await page.click("#verify");
        await page.waitForURL(/\/portal\?from=wallet$/);
        await page.evaluate(`callResume("resumed")`);
        const outcome = await outcomeOf(page, "resumed");
        expect(outcome).toMatchObject({ state: "resolved", status: 201 });
        expect(JSON.parse(outcome.body!).received).toBe(WITHDRAWAL.body);
        // Once: the next load has nothing to finish.
        await page.evaluate(`callResume("again")`);
        expect(await outcomeOf(page, "again")).toMatchObject({ state: "resolved", response: null });
        expect(challengeFor("/api/redirect").completions).toBe(1);
      },
      "?from=wallet",
    ));

  it("redirect: resume() after coming back unverified rejects cancelled; a request not held resolves null", () =>
    onPortal("redirect-back", async (page) => {
      fake.protect("/api/redirect-back", { held: true });
      await call(page, "leave", "/api/redirect-back", WITHDRAWAL, { mode: "redirect" });
      await page.waitForURL(/\/__stepgate\/challenge\//);
      await page.goBack();
      await page.evaluate(`callResume("unverified")`);
      expect(await outcomeOf(page, "unverified")).toMatchObject({ state: "rejected", code: "cancelled" });

      fake.protect("/api/redirect-plain", { held: false });
      await call(page, "leave", "/api/redirect-plain", { method: "POST", body: "x" }, { mode: "redirect" });
      await page.waitForURL(/\/__stepgate\/challenge\//);
      await page.click("#verify");
      await page.waitForURL(/\/portal$/);
      await page.evaluate(`callResume("plain")`);
      expect(await outcomeOf(page, "plain")).toMatchObject({ state: "resolved", response: null });
    }));

  it("redirect: rejects blocked, and stays, when the tab's storage cannot keep its place", () =>
    onPortal("redirect-blocked", async (page) => {
      fake.protect("/api/redirect-full", { held: true });
      // Fill the tab's storage to its quota.
      await page.evaluate(
        `(() => { let chunk = "x".repeat(1 << 20); for (let i = 0; ; i++) { try { sessionStorage.setItem("fill" + i, chunk); } catch { if (chunk.length < 16) return; chunk = chunk.slice(chunk.length / 2); } } })()`,
      );
      await call(page, "full", "/api/redirect-full", WITHDRAWAL, { mode: "redirect" });
      expect(await outcomeOf(page, "full")).toMatchObject({ state: "rejected", code: "blocked" });
      expect(new URL(page.url()).pathname).toBe("/portal");
      await page.evaluate("sessionStorage.clear()");
    }));
});

describe("stepgate.install", () => {
  it("steps up the page's own fetch for the listed same-origin paths only, and comes off", () =>
    onPortal("install", async (page) => {
      fake.protect("/api/listed", { held: true });
      fake.protect("/api/wallet/send", { held: true });
      fake.protect("/api/unlisted", { held: true });
      await page.evaluate(`window.uninstall = stepgate.install({ paths: ["/api/listed", "/api/wallet/"] })`);

      await page.evaluate(`callFetch("listed", "/api/listed", ${JSON.stringify(WITHDRAWAL)})`);
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "listed")).toMatchObject({ state: "resolved", status: 201 });
      await page.evaluate(`callFetch("prefix", "/api/wallet/send", ${JSON.stringify(WITHDRAWAL)})`);
      await challengeFrame(page).locator("#verify").click();
      expect(await outcomeOf(page, "prefix")).toMatchObject({ state: "resolved", status: 201 });

      await page.evaluate(`callFetch("unlisted", "/api/unlisted", ${JSON.stringify(WITHDRAWAL)})`);
      const unlisted = await outcomeOf(page, "unlisted");
      expect(unlisted).toMatchObject({ state: "resolved", status: 401 });
      expect(JSON.parse(unlisted.body!)).toMatchObject({ code: "step_up_required" });
      // Another origin's answer, however much it looks like stepgate's, is not touched.
      await page.evaluate(`callFetch("foreign", ${JSON.stringify(`${fake.foreignOrigin}/api/listed`)})`);
      expect(await outcomeOf(page, "foreign")).toMatchObject({ state: "resolved", status: 401 });
      expect(await page.locator("dialog").count()).toBe(0);

      await page.evaluate("uninstall()");
      await page.evaluate(`callFetch("uninstalled", "/api/listed", ${JSON.stringify(WITHDRAWAL)})`);
      expect(await outcomeOf(page, "uninstalled")).toMatchObject({ state: "resolved", status: 401 });
      expect(await page.locator("dialog").count()).toBe(0);
    }));
});

describe("the dialog's accessibility", () => {
  it("passes axe-core with the dialog open", () =>
    onPortal("axe", async (page) => {
      fake.protect("/api/axe", { held: true });
      await clickSend(page, "/api/axe", WITHDRAWAL);
      await page.getByRole("dialog", { name: "Confirm your withdrawal" }).waitFor();
      await challengeFrame(page).locator("#verify").waitFor();
      for (const frame of page.frames()) await frame.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(
        `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`,
      );
      expect(violations).toEqual([]);
      await page.keyboard.press("Escape");
      expect(await outcomeOf(page, "click")).toMatchObject({ state: "rejected", code: "cancelled" });
    }));
});
