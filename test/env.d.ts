// Bindings the test configuration adds (vitest.config.ts) on top of the worker's own.
declare namespace Cloudflare {
  interface Env {
    TEST_ORIGIN: string;
    DEMO_ORIGIN: string;
    DEAD_ORIGIN: string;
    SMTP_PORT: string;
    SMTP_AUTH_PORT: string;
    TEST_RSA_JWK: string;
    TEST_EC_JWK: string;
  }
}
