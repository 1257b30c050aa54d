/**
 * Checks one hosted page as loaded in a browser page: axe-core in the light and the dark colour
 * scheme, no sideways scrolling on a 390 px phone, the language it was asked for, no script
 * error or Content-Security-Policy violation; screenshots for the languages kept for review and
 * for any check that fails.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults } from "axe-core";
import type { BrowserContext, Page } from "playwright-core";

/** The phone the pages are checked on (an iPhone 12–15's CSS viewport). */
export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const SCREENSHOT_DIR = "test/browser/screenshots/every-page";
const SCHEMES = ["light", "dark"] as const;

/**
 * axe-core's own bundle, run in every page of the context as it starts (the browser's own way in,
 * like `page.evaluate`, and sent to it once rather than 650 KB per page): `page.addScriptTag`
 * would add a `<script>` the pages' Content-Security-Policy refuses (rightly: no page runs one).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axe-core over the whole page, its violations named by rule and by the elements that break it.
 *
 * Before it runs, axe is told that no text is an icon font's ligature. To find icon fonts it
 * draws a text's first letter alone and then the whole text, and takes a difference for a
 * ligature: every Arabic word is one (its letters join), so axe would leave the contrast of all
 * Arabic text unchecked. These pages use no icon font. (`fonts` is the cache of that guess, per
 * font family, which axe empties after each run.)
 */
const AXE_RUN = `(() => {
  axe._cache.set("fonts", new Proxy({}, { get: () => ({ occurrences: Infinity, numLigatures: 0 }) }));
  return axe.run(document, { resultTypes: ["violations"] }).then((results) =>
    results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((node) => node.target.join(" ")) })));
})()`;

export type Violation = Pick<AxeResults["violations"][number], "id" | "impact" | "help"> & { nodes: string[] };

export interface Audit {
  /** What failed, each naming the page, the language, the scheme where it matters, and the rule. */
  readonly found: string[];
  /** Checks the page as it is now, as the state `name`. */
  check(page: Page, name: string): Promise<void>;
}

/**
 * A context for `language` whose pages report script errors and CSP violations into `found`,
 * and the audit of its pages; `screenshots` keeps a full-page PNG of every state (light).
 * @example
 * const { context, audit } = await auditedContext(browser, "ar", true); … await audit.check(page, "settings");
 */
export async function auditedContext(
  browser: { newContext(options: object): Promise<BrowserContext> },
  language: string,
  screenshots: boolean,
): Promise<{ context: BrowserContext; audit: Audit }> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  const found: string[] = [];
  const errors: string[] = [];
  await context.addInitScript(AXE_SOURCE);
  // Reported by the browser whatever its console says (a blocked style, image or frame).
  await context.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI))',
  );
  context.on("console", (message) => {
    // Every non-2xx answer is also logged as an error; the states below include 4xx pages on purpose.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) errors.push(message.text());
  });
  context.on("weberror", (error) => errors.push(error.error().message));
  let count = 0;
  const audit: Audit = {
    found,
    async check(page, name) {
      const where = `${name} [${language}]`;
      const file = `${SCREENSHOT_DIR}/${language}/${String(++count).padStart(2, "0")}-${name.replace(/[^\w]+/g, "-")}`;
      const failedBefore = found.length;
      for (const error of errors.splice(0)) found.push(`${where}: ${error}`);
      const lang = await page.getAttribute("html", "lang");
      if (lang !== language) found.push(`${where}: the page is in ${lang}`);
      const width = (await page.evaluate("document.documentElement.scrollWidth")) as number;
      if (width > PHONE_VIEWPORT.width) found.push(`${where}: ${width} px wide on a ${PHONE_VIEWPORT.width} px screen (sideways scrolling)`);
      for (const colorScheme of SCHEMES) {
        await page.emulateMedia({ colorScheme });
        const violations = await axeViolations(page);
        for (const v of violations) {
          found.push(`${where} ${colorScheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).join(", ")}${v.nodes.length > 3 ? ", …" : ""}`);
        }
        if (violations.length > 0) await screenshot(page, `${file}.${colorScheme}`);
      }
      await page.emulateMedia({ colorScheme: "light" });
      if (screenshots || found.length > failedBefore) await screenshot(page, file);
    },
  };
  return { context, audit };
}

/**
 * What axe-core finds wrong with the page as it is now (it is brought in if the page has none yet).
 * @example
 * expect(await axeViolations(page)).toEqual([]);
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate("typeof axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(AXE_RUN)) as Violation[];
}

async function screenshot(page: Page, file: string): Promise<void> {
  mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
  await page.screenshot({ path: `${file}.png`, fullPage: true });
}
