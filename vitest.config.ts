import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/**
 * What workerd itself logs while the tests provoke failures on purpose. The pool prints workerd's
 * logs straight to this process's stdout/stderr (no vitest hook sees them, and a test cannot
 * catch them), so a passing run would end in pages of native stack traces. Each entry is a
 * failure some test provokes and asserts; anything else workerd logs is still printed.
 */
const EXPECTED_RUNTIME_LOGS = [
  // The pool's own socket to each test file's runner closing when the file ends (the pool
  // filters this itself from cloudflare/workers-sdk#13833 on, in versions that need Node 22).
  "disconnected: WebSocket peer disconnected",
  // An origin, key set or SMTP server that is down or resets the connection (DEAD_ORIGIN,
  // /reset): stepgate answers 502/503 and logs it; workerd also logs the failed connection.
  "connect(): Connection refused",
  "stream disconnected prematurely",
  "Network connection lost.",
  // Durable Object methods that throw on purpose: faults the tests inject, and objects refusing
  // records for another tenant or user, or refusing to act without their name (object-identity,
  // state-faults). workerd logs an RPC method's exception as uncaught even though the caller
  // receives it; the tests assert what the caller receives.
  "evicted by the test",
  "refused by the test",
  "storage unavailable",
  "was reached without its name and has no stored identity; it refuses to act",
  "refuses records for tenant",
  "an audit batch holds only its own user's numbered entries",
  // A user object's directory-sync alarm (TENANT_SYNC_DELAY_MS) firing after the test file that
  // set it has finished: the closed runner can no longer load the module for it.
  "EnvironmentTeardownError: [vitest-worker]: Closing rpc while",
  "Error sending to pool: TypeError: Can't call WebSocket send() after close().",
];
/** The shapes of workerd's log lines: its messages start so; vitest's own output never does. */
const RUNTIME_LOG_PREFIXES = ["exception = ", "uncaught exception; ", "Annotating with brokenness; ", "Error sending to pool: "];

/**
 * Wrangler's note, once per test file, that it read a local .dev.vars (which `npm run dev` and
 * test/node/dev-restart create): the bindings below override the names the tests rely on.
 */
const DEV_VARS_NOTE = /^Using secrets defined in \S*\.dev\.vars\s*$/;

const isExpectedRuntimeLog = (chunk: string) =>
  DEV_VARS_NOTE.test(chunk) ||
  (RUNTIME_LOG_PREFIXES.some((prefix) => chunk.startsWith(prefix)) && EXPECTED_RUNTIME_LOGS.some((message) => chunk.includes(message)));

// The pool writes each workerd log message (with its stack) in one write.
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== "string" || !isExpectedRuntimeLog(chunk)) return write(chunk, ...rest);
    const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof stream.write;
}

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        bindings: {
          STEPGATE_ADMIN_KEY: "test-admin-key",
          STEPGATE_ENV: "development",
          // The directory and audit tests run the users' sync alarms themselves (usersSync) and
          // assert that nothing arrived before; at the deployed 500 ms a loaded machine rang
          // them first. Nothing here waits for an alarm to ring by itself.
          STEPGATE_SYNC_DELAY_MS: "60000",
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
    // Not printed: worker-mailer's info lines on each SMTP connection's progress ("Connecting to
    // SMTP server"; the SMTP tests assert the delivered mail instead), and a user object's
    // directory-sync alarm that fires after its test file has finished logging that it will
    // retry (the closed runner cannot load the module for it; the directory tests drive the
    // alarm themselves and assert its result).
    onConsoleLog: (log) => !log.startsWith("[WorkerMailer:") && !log.includes("EnvironmentTeardownError: [vitest-worker]: Closing rpc while"),
  },
});
