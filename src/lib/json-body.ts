/**
 * @module
 * Reading and validating JSON request bodies into RFC 9457 problems that name each bad field.
 */
import type { Context } from "hono";
import type * as z from "zod";
import { ProblemError } from "./problem";

export interface FieldError {
  /** JSON pointer (RFC 6901) to the field, as a URI fragment: `#/operations/withdraw/maxAge`. */
  pointer: string;
  detail: string;
}

/**
 * Parses the body as JSON; anything else is a 400 `malformed_json` problem.
 * Pair it with Hono's `bodyLimit` so oversized bodies are refused before they are read.
 * @example
 * const input = await readJson(c);
 */
export async function readJson(c: Context): Promise<unknown> {
  if (!isJsonContentType(c.req.header("Content-Type"))) {
    throw new ProblemError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError(400, "malformed_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}

const JSON_CONTENT_TYPE = /^application\/([a-z.+-]*\+)?json\b/i;

/** `application/json` or any `+json` type (`application/merge-patch+json`). */
export function isJsonContentType(type: string | undefined): boolean {
  return JSON_CONTENT_TYPE.test(type ?? "");
}

/**
 * Validates `value` with `schema`; every problem is listed in the error's `errors` member.
 * @example
 * const policy = validate(PolicySchema, await readJson(c)); // throws a 422 problem
 */
export function validate<T extends z.ZodType>(schema: T, value: unknown, status: 400 | 422 = 422): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  const fields = [...new Set(errors.map((e) => e.pointer))].join(", ");
  throw new ProblemError(status, "validation_failed", `Invalid field${errors.length === 1 ? "" : "s"}: ${fields}`, {
    errors,
  });
}

/** One entry per invalid field; unknown keys are named one by one. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ pointer: pointerOf([...issue.path, key]), detail: "is not a known field" }));
    }
    return [{ pointer: pointerOf(issue.path), detail: issue.message }];
  });
}

function pointerOf(path: ReadonlyArray<PropertyKey>): string {
  return `#/${path.map((part) => String(part).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
}
