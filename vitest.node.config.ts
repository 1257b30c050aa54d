import { defineConfig } from "vitest/config";

/** Tests that need Node rather than workerd: validating the OpenAPI document (Ajv compiles code at run time, which workerd forbids). */
export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts"],
  },
});
