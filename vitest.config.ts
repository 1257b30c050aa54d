import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        bindings: {
          STEPGATE_ADMIN_KEY: "test-admin-key",
          STEPGATE_ENV: "development",
          TENANT_DEMO_JWT_SECRET: "test-demo-jwt-secret",
          // Tenant demo's own Twilio token: the one name its Twilio credential may reference.
          TENANT_DEMO_TWILIO_TOKEN: "test-demo-twilio-token",
          // Two keys, newest first, so every test also runs with a rotated-out key configured.
          STEPGATE_SECRET_KEYS: `t2:${"A".repeat(43)},t1:${"B".repeat(43)}`,
          TEST_ORIGIN: inject("testOrigin"),
          DEMO_ORIGIN: inject("demoOrigin"),
          DEAD_ORIGIN: inject("deadOrigin"),
          SMTP_PORT: String(inject("smtpPort")),
          SMTP_AUTH_PORT: String(inject("smtpAuthPort")),
          TEST_RSA_JWK: inject("rsaPrivateJwk"),
          TEST_EC_JWK: inject("ecPrivateJwk"),
        },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/support/origins.ts"],
    include: ["test/**/*.test.{ts,tsx}"],
    // The CI machine runs the suite 2-3 times slower than a developer's; the heaviest tests make
    // hundreds of round trips through workerd (200 forged challenge ids, 100,000 directory rows),
    // ~2.5 s here, over vitest's 5 s default there. A hang still fails, after 20 s.
    testTimeout: 20_000,
    // The real-browser suite runs in Node, not workerd (`npm run test:browser`); so do the
    // tests in test/node (`vitest.node.config.ts`, run by `npm test` after these).
    exclude: ["test/browser/**", "test/node/**", "node_modules/**"],
  },
});
