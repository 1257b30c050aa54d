import { defineConfig } from "vitest/config";

// The real-browser suite: Node drives headless Chromium (playwright-core) against `npm run dev`.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Tests marked concurrent (every-page's languages): two at a time on a 2-core machine.
    maxConcurrency: 2,
  },
});
