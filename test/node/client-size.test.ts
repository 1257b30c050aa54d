/**
 * The SPA client stays small and publishable: the script-tag build (`assets/client.js`) is under
 * 5 KiB gzipped, and `npm pack` of `client/` (which builds it first) ships its ES module and its
 * types, and nothing else but the package's own files.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const MAX_GZIPPED_BYTES = 5 * 1024;
/** `npm pack` builds the package first (esbuild, then tsc for the types): seconds, more on a busy machine. */
const PACK_TIMEOUT_MS = 120_000;

describe("the SPA client's size and package", () => {
  it("is under 5 KiB gzipped as the script tag loads it", () => {
    const gzipped = gzipSync(readFileSync("assets/client.js"), { level: 9 }).length;
    expect(gzipped).toBeLessThan(MAX_GZIPPED_BYTES);
  });

  it(
    "packs its ES module and its types, built by the package's own prepack",
    () => {
      // `npm pack` runs `prepack` (the build) first, dry run or not.
      const output = execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: "client", encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const [pack] = JSON.parse(output) as Array<{ name: string; files: Array<{ path: string }> }>;
      const files = pack!.files.map((file) => file.path);
      const manifest = JSON.parse(readFileSync("client/package.json", "utf8"));
      expect(pack!.name).toBe("@stepgate/client");
      expect(manifest.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "dist/errors.d.ts", "package.json", "README.md"]));
      expect(files.filter((file) => !file.startsWith("dist/") && !["package.json", "README.md"].includes(file))).toEqual([]);
      // An ES module with no imports left: dependency-free.
      const module = readFileSync("client/dist/index.js", "utf8");
      expect(module).toMatch(/^export \{/m);
      expect(module).not.toMatch(/^import /m);
    },
    PACK_TIMEOUT_MS,
  );
});
