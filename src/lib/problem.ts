/**
 * @module
 * RFC 9457 problem responses. Deep code throws a {@link ProblemError}; `app.onError` turns it
 * into the response, so every error leaves stepgate in one shape with a stable `code`.
 */
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Extra members of a problem body (RFC 9457 "extension members"). */
export type ProblemExtras = Record<string, unknown>;

/**
 * Builds an `application/problem+json` response.
 * @example
 * return problem(404, "unknown_route", "No stepgate route at /__stepgate/nope");
 */
export function problem(status: ContentfulStatusCode, code: string, detail: string, extras: ProblemExtras = {}, headers: HeadersInit = {}): Response {
  const body = { type: `tag:stepgate,2026:${code}`, title: titleOf(code), status, code, detail, ...extras };
  const response = Response.json(body, { status, headers });
  response.headers.set("Content-Type", PROBLEM_CONTENT_TYPE);
  return response;
}

/**
 * An error that already knows its problem response.
 * @example
 * throw new ProblemError(422, "validation_failed", "2 fields are invalid", { errors });
 */
export class ProblemError extends HTTPException {
  readonly code: string;
  readonly title: string;
  readonly extras: ProblemExtras;
  constructor(status: ContentfulStatusCode, code: string, detail: string, extras: ProblemExtras = {}, headers: HeadersInit = {}) {
    super(status, { res: problem(status, code, detail, extras, headers), message: detail });
    this.code = code;
    this.title = titleOf(code);
    this.extras = extras;
  }
}

/** `origin_timeout` → `Origin timeout`. */
export function titleOf(code: string): string {
  const words = code.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
