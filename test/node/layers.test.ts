import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Imports point one way, down docs/architecture.md's diagram, and no module imports itself
 * through others. Every relative import of every `src/**` module is read (type-only ones too:
 * knowing another layer's types is depending on it).
 */

const ROOT = resolve(__dirname, "../..");
const SRC = join(ROOT, "src");

type Layer = "lib" | "config" | "factors" | "state" | "providers" | "gate" | "flows" | "api" | "pages" | "index";

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  lib: [],
  config: ["lib"],
  factors: ["lib", "config"],
  state: ["lib", "config", "factors"],
  // deliver.ts puts development messages in the tenant object's outbox; state sends nothing.
  providers: ["lib", "config", "factors", "state"],
  gate: ["lib", "config", "factors", "state", "providers"],
  flows: ["lib", "config", "factors", "state", "providers", "gate"],
  api: ["lib", "config", "factors", "state", "providers", "gate", "flows"],
  pages: ["lib", "config", "factors", "state", "providers", "gate", "flows"],
  index: ["lib", "config", "factors", "state", "providers", "gate", "flows", "api", "pages"],
};

/**
 * Imports against the direction kept on purpose, each with its reason.
 */
const EXCEPTIONS: ReadonlyArray<readonly [string, string, string]> = [
  [
    "src/config/tenant-config.ts",
    "src/gate/operation-match.ts",
    "a tenant's config is cached with its policy's routes compiled; the matcher reads paths with the gate's canonical form",
  ],
  ["src/gate/challenge-response.tsx", "src/pages/layout.tsx", "the gate answers a browser that must step up with the hosted pages' layout"],
  ["src/gate/challenge-response.tsx", "src/pages/step-up-required-page.tsx", "the page the gate answers a browser that must step up with"],
  ["src/gate/challenge-response.tsx", "src/pages/i18n/language-choice.ts", "the gate's step-up page speaks the language the hosted pages would choose"],
  [
    "src/flows/policy-write.ts",
    "src/pages/i18n/text-overrides.ts",
    "a tenant's wording (branding.text) is checked against the catalogue the hosted pages say it from",
  ],
];

function layerOf(file: string): Layer {
  const path = relative(SRC, file).split("\\").join("/");
  if (path === "index.tsx") return "index";
  // The Hono context the gate fills (tenant, policy, identity): it belongs to the gate.
  if (path === "app-env.ts") return "gate";
  const folder = path.split("/")[0] as Layer;
  if (!(folder in ALLOWED)) throw new Error(`src/${path} is in no layer: add its folder to the table`);
  return folder;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = new Set<string>();
  for (const [, specifier] of text.matchAll(SPECIFIER)) {
    if (!specifier!.startsWith(".")) continue;
    const base = resolve(dirname(file), specifier!);
    const target = [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts"), join(base, "index.tsx")].find((p) => existsSync(p) && statSync(p).isFile());
    if (!target) throw new Error(`${rel(file)} imports ${specifier}, which is not a module`);
    found.add(target);
  }
  return [...found];
}

function rel(file: string): string {
  return relative(ROOT, file).split("\\").join("/");
}

const files = sources(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("layers", () => {
  it("reads the whole source tree", () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...graph.values()].flat().length).toBeGreaterThan(200);
  });

  it("imports only down the layers", () => {
    const allowed = new Set(EXCEPTIONS.map(([from, to]) => `${from} -> ${to}`));
    const against: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const target of imports) {
        const to = layerOf(target);
        if (to === from || ALLOWED[from].includes(to)) continue;
        const edge = `${rel(file)} -> ${rel(target)}`;
        if (!allowed.has(edge)) against.push(`${edge} (${from} may not import ${to})`);
      }
    }
    expect(against).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target].map(rel).join(" -> "));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it("lists only exceptions that are still needed", () => {
    const edges = new Set([...graph].flatMap(([file, imports]) => imports.map((target) => `${rel(file)} -> ${rel(target)}`)));
    const stale = EXCEPTIONS.map(([from, to]) => `${from} -> ${to}`).filter((edge) => !edges.has(edge));
    expect(stale).toEqual([]);
  });
});
