/**
 * The OpenAPI document the worker serves validates against the OpenAPI 3.1 schema. Ajv compiles
 * code at run time, which workerd forbids, so the document is fetched from `npm run dev` (the
 * bundle as wrangler builds it, with its aliases) and validated here in Node.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../browser/dev-server";

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-openapi-"));
let server: DevServer | undefined;
let served: Record<string, unknown>;

beforeAll(async () => {
  server = await startDevServer({ stateDir });
  const response = await fetch(`${server.base}/__stepgate/admin/v1/openapi.json`);
  expect(response.status).toBe(200);
  served = await response.json();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator();
    const result = await validator.validate(served);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("would catch a broken document (the check is not vacuous)", async () => {
    const broken = structuredClone(served) as { paths: Record<string, Record<string, { parameters: Array<{ in?: string }> }>> };
    // A path parameter that does not say where it is.
    delete broken.paths["/__stepgate/admin/v1/users/{id}"]!.get!.parameters[0]!.in;
    const result = await new Validator().validate(broken as unknown as Record<string, unknown>);
    expect(result.valid).toBe(false);
  });
});
