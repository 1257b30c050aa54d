import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

/**
 * The event queues' consumers as wrangler.jsonc declares them, but quicker: a batch is handed
 * to the consumer at once (not after waiting up to a second to fill: many tests wait for the
 * consumer), and a failing message is retried twice (after 1 s and 2 s, the deployed delays)
 * before it is dead-lettered, not for 13 minutes, so the fault tests can watch it get there.
 */
const queueConsumers = Object.fromEntries(
  (unstable_readConfig({ config: "./wrangler.jsonc" }).queues.consumers ?? []).map(
    (consumer: { queue: string; max_batch_size?: number; dead_letter_queue?: string }) => [
      consumer.queue,
      { maxBatchSize: consumer.max_batch_size, maxBatchTimeout: 0, maxRetries: 2, deadLetterQueue: consumer.dead_letter_queue },
    ],
  ),
);

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
  // records for another tenant or user, or a bucket of another network, or refusing to act
  // without their name (object-identity, state-faults, address-limits). workerd logs an RPC method's exception as uncaught even though the caller
  // receives it; the tests assert what the caller receives.
  "evicted by the test",
  "refused by the test",
  "storage unavailable",
  "was reached without its name and has no stored identity; it refuses to act",
  "refuses records for tenant",
  "refuses bucket",
  // A user object's publish alarm (PUBLISH_DELAY_MS), or a queued message's delivery, coming
  // after the test file that set it has finished: the closed runner can no longer load the module for it.
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

/**
 * Miniflare's note that a message failed its last retry and goes to the dead-letter queue: the
 * event-stream fault tests, the webhook tests and the alert tests make a consumer (or an endpoint,
 * or an SMTP server) fail that long on purpose, and assert the dead letters.
 */
const DEAD_LETTERED =
  /^(\x1b\[[0-9;]*m)*\[mf:warn\](\x1b\[[0-9;]*m)* Moving message "\w+" on queue "(?<queue>stepgate-events|stepgate-webhooks|stepgate-notifications)" to dead letter queue "\k<queue>-dead"/;

const isExpectedRuntimeLog = (chunk: string) =>
  DEV_VARS_NOTE.test(chunk) ||
  DEAD_LETTERED.test(chunk) ||
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
        queueConsumers,
        bindings: {
          STEPGATE_ADMIN_KEY: "test-admin-key",
          STEPGATE_ENV: "development",
          // The directory and audit tests run the users' publish alarms themselves (usersSync) and
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
    // publish alarm that fires after its test file has finished logging that it will
    // retry (the closed runner cannot load the module for it; the directory tests drive the
    // alarm themselves and assert its result).
    onConsoleLog: (log) => !log.startsWith("[WorkerMailer:") && !log.includes("EnvironmentTeardownError: [vitest-worker]: Closing rpc while"),
  },
});
