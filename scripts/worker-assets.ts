/**
 * Writes the worker's assets: data it reads through its binding on first use in an isolate,
 * rather than code every isolate parses at start (the bundle's size target, docs/benchmark.md):
 * - `i18n/<language>.json`: each language's words but English (the hosted pages' and the code
 *   messages'), from the typed modules (`flows/language-words.ts` reads them);
 * - `phone-metadata.json`: libphonenumber-js's metadata, as the installed version has it
 *   (`flows/enrollment-addresses.ts` reads it to check a phone number);
 * - `openapi.json`: the APIs' OpenAPI document, generated from the routes' declarations
 *   (`api/openapi-document.ts`; `api/openapi.ts` serves it);
 * - `client.js`: the single-page client's script-tag build (`client/src/global.ts`, served as
 *   `/__stepgate/client.js`): one minified IIFE for the last two versions of Chromium, Firefox and Safari (es2020).
 * `--check` writes nothing and fails when a file differs from what it would write (CI runs it:
 * the committed assets must be these).
 *
 *   npm run assets            # after changing a translation or libphonenumber-js
 *   npm run assets -- --check
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { LANGUAGES } from "../src/config/languages";
import { ALL_MESSAGE_TEXT } from "../src/factors/message-translations";
import { ALL_PAGE_TEXT } from "../src/pages/i18n/all-languages";
import { standInForWorkersRuntime } from "./workers-runtime-stand-ins";

const DIRECTORY = join(import.meta.dirname, "..", "assets");
const CLIENT_ENTRY = join(import.meta.dirname, "..", "client", "src", "global.ts");
const CLIENT_FILE = "client.js";
const require = createRequire(import.meta.url);

/** Every file the directory should hold, by name, with its contents. */
async function workerAssets(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const language of LANGUAGES) {
    if (language === "en") continue;
    files.set(`i18n/${language}.json`, `${JSON.stringify({ pages: ALL_PAGE_TEXT[language], messages: ALL_MESSAGE_TEXT[language] }, null, 1)}\n`);
  }
  files.set("phone-metadata.json", readFileSync(require.resolve("libphonenumber-js/metadata.min.json"), "utf8"));
  files.set("openapi.json", `${JSON.stringify(await openApiDocument(), null, 1)}\n`);
  files.set(CLIENT_FILE, await clientScript());
  return files;
}

/**
 * The client's IIFE, as esbuild writes it (the same source and version give the same bytes). Its
 * text is ASCII (esbuild's default escapes the dialog's names): it reads the same whatever
 * charset the portal's page or the response declares.
 */
async function clientScript(): Promise<string> {
  const result = await build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    format: "iife",
    minify: true,
    target: "es2020",
    legalComments: "none",
    write: false,
  });
  return result.outputFiles[0]!.text;
}

/** The OpenAPI document, from the worker's route modules (which import what only workerd has). */
async function openApiDocument(): Promise<unknown> {
  standInForWorkersRuntime();
  const { openApiDocument } = await import("../src/api/openapi-document");
  return openApiDocument();
}

function existing(): Map<string, string> {
  const files = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(DIRECTORY, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".json") || name === CLIENT_FILE);
  } catch {
    // No directory yet: nothing written.
  }
  for (const name of names) files.set(name, readFileSync(join(DIRECTORY, name), "utf8"));
  return files;
}

/**
 * Writes the files that differ from what they should hold (and removes any of no language); the
 * names written.
 */
export async function writeWorkerAssets(): Promise<string[]> {
  const wanted = await workerAssets();
  const present = existing();
  const stale = staleNames(wanted, present);
  for (const name of present.keys()) if (!wanted.has(name)) rmSync(join(DIRECTORY, name));
  for (const name of stale) {
    if (!wanted.has(name)) continue;
    mkdirSync(dirname(join(DIRECTORY, name)), { recursive: true });
    writeFileSync(join(DIRECTORY, name), wanted.get(name)!);
  }
  return stale;
}

/** The files that differ from what they should hold. */
export async function staleWorkerAssets(): Promise<string[]> {
  return staleNames(await workerAssets(), existing());
}

function staleNames(wanted: Map<string, string>, present: Map<string, string>): string[] {
  return [...new Set([...wanted.keys(), ...present.keys()])].filter((name) => wanted.get(name) !== present.get(name));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--check")) {
    const stale = await staleWorkerAssets();
    if (stale.length > 0) {
      console.error(`assets/ differs from what npm run assets writes (${stale.join(", ")}): run npm run assets`);
      process.exit(1);
    }
  } else {
    const written = await writeWorkerAssets();
    console.log(written.length > 0 ? `assets: wrote ${written.join(", ")}` : "assets: up to date");
  }
}
