import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/api/openapi";

describe("OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument() as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("would catch a broken document (the check is not vacuous)", async () => {
    const broken = structuredClone(openApiDocument()) as { paths: Record<string, Record<string, { parameters: Array<{ in?: string }> }>> };
    // A path parameter that does not say where it is.
    delete broken.paths["/__stepgate/admin/v1/users/{id}"]!.get!.parameters[0]!.in;
    const result = await new Validator().validate(broken as unknown as Record<string, unknown>);
    expect(result.valid).toBe(false);
  });
});
