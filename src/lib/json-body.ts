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
 * How deep arrays and objects may nest in a request body. Every real body (a policy included)
 * is under 10 levels; the code that walks a parsed body (merge patch, validation, diffs) is
 * recursive, and ~8,000 levels fit in 48 KB and overflow its stack.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Parses the body as JSON; anything else is a 400 `malformed_json` problem, and nesting
 * deeper than {@link MAX_JSON_DEPTH} a 400 `too_deep` problem, refused before it is parsed.
 * `jsonBody` (api/route-declarations.ts) limits the body's size before this reads it.
 * @example
 * const input = await readJson(c);
 */
export async function readJson(c: Context): Promise<unknown> {
  if (!isJsonContentType(c.req.header("Content-Type"))) {
    throw new ProblemError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const text = await c.req.text();
  if (nestingExceeds(text, MAX_JSON_DEPTH)) {
    throw new ProblemError(400, "too_deep", `Arrays and objects in the body nest at most ${MAX_JSON_DEPTH} levels deep.`, { maxDepth: MAX_JSON_DEPTH });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProblemError(400, "malformed_json", `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Whether JSON `text` opens more than `maxDepth` arrays or objects inside one another. A loop
 * over the characters, not a parse: it must hold for any depth the body size allows.
 * @example
 * nestingExceeds("[[1]]", 1) // true
 * nestingExceeds('["[[["]', 1) // false: brackets inside a string do not count
 */
export function nestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === "[" || char === "{") {
      if (++depth > maxDepth) return true;
    } else if (char === "]" || char === "}") {
      depth--;
    }
  }
  return false;
}

/** Hono's JSON validator's own test, applied to the same media type (the part before any `;`). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * `application/json` or any `+json` type (`application/merge-patch+json`), parameters allowed.
 * The same reading as Hono's JSON validator, which would otherwise validate `{}` in place of a
 * body it did not take for JSON.
 */
export function isJsonContentType(type: string | undefined): boolean {
  return JSON_MEDIA_TYPE.test((type ?? "").split(";")[0]!.trim());
}

/**
 * The `validation_failed` problem listing `errors`, its detail naming each field.
 * @example
 * throw validationProblem([{ pointer: "#/code", detail: "Required" }], 400);
 */
export function validationProblem(errors: FieldError[], status: 400 | 422): ProblemError {
  const fields = [...new Set(errors.map((e) => e.pointer))].join(", ");
  return new ProblemError(status, "validation_failed", `Invalid field${errors.length === 1 ? "" : "s"}: ${fields}`, { errors });
}

/** One entry per invalid field; unknown keys are named one by one. */
export function fieldErrors(issues: ReadonlyArray<z.core.$ZodIssue>): FieldError[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ pointer: pointerOf([...issue.path, key]), detail: "is not a known field" }));
    }
    return [{ pointer: pointerOf(issue.path), detail: issue.message }];
  });
}

function pointerOf(path: ReadonlyArray<PropertyKey>): string {
  return `#/${path.map((part) => String(part).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`;
}
