/** The docs' links lead somewhere in this repository: every file exists, every #anchor is a heading. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const DOCS = [
  "README.md",
  "CONTRIBUTING.md",
  ...readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];
/** `[text](target)` outside code; images too. */
const LINK = /\]\(([^)\s]+)\)/g;

/** The document without its fenced code blocks, where `#` starts a shell comment, not a heading. */
function prose(file: string): string {
  return readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsIn(file: string): Set<string> {
  return new Set([...prose(file).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

describe("the docs' links", () => {
  for (const file of DOCS) {
    it(`in ${file} resolve inside the repository`, () => {
      const broken: string[] = [];
      for (const [, target] of prose(file).matchAll(LINK)) {
        if (/^[a-z]+:/.test(target!)) continue; // http(s): and mailto: leave the repository on purpose
        const [path, anchor] = target!.split("#") as [string, string | undefined];
        const resolved = path === "" ? file : normalize(join(dirname(file), path));
        if (relative(".", resolved).startsWith("..")) broken.push(`${target} (outside the repository)`);
        else if (!existsSync(resolved)) broken.push(`${target} (no such file)`);
        else if (anchor && resolved.endsWith(".md") && !anchorsIn(resolved).has(anchor)) broken.push(`${target} (no such heading)`);
      }
      expect(broken).toEqual([]);
    });
  }
});
