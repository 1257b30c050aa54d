/**
 * @module
 * How a JSON route declares itself where it is registered: what it answers (`answers`) and the
 * body, query and path parameters it takes (`jsonBody`, `queryOf`, `paramsOf`). The same
 * declarations validate the request — a failure is the RFC 9457 problem naming each field — and
 * are what `openapi-document.ts` generates the OpenAPI document from (hono-openapi), so the document
 * cannot drift from the routes.
 * @example
 * adminKeys.post("/keys", answers("Make an API key", [201, "The new key", CreatedKey], { problems: [422] }),
 *   jsonBody(CreateKeyBody, { status: 422, maxBytes: 4096 }), async (c) => c.json(c.req.valid("json")));
 */
import type { Context, Env, MiddlewareHandler, ValidationTargets } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type DescribeRouteOptions, describeRoute, resolver, uniqueSymbol, validator } from "hono-openapi";
import * as z from "zod";
import { fieldErrors, readJson, validationProblem } from "../lib/json-body";
import { problem } from "../lib/problem";

/** A success answer: status, description and, when it has a JSON body, its schema. */
export type Answer = readonly [status: number, description: string, schema?: z.ZodType];

/** JSON Schema of a request as the client sends it (defaults optional) … */
const INPUT = { options: { io: "input", unrepresentable: "any" } };
/** … and of an answer as stepgate sends it (defaults filled in). */
const OUTPUT = { options: { io: "output", unrepresentable: "any" } };

/** Every JSON API body is a handful of short fields unless its route says otherwise. */
export const MAX_API_BODY_BYTES = 8 * 1024;

/** The body of every problem answer; `openapi-document.ts` defines it once under `components`. */
export const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };

/**
 * Documents a route: its summary, its success answer (and a second one, as a PUT that creates),
 * and the problems only it gives; the problems every route can give are added by `openapi-document.ts`.
 * @example
 * userApi.get("/me", answers("Enrollment state", [200, "The signed-in user", Me]), handler);
 */
export function answers(
  summary: string,
  ok: Answer,
  more: {
    alsoOk?: Answer;
    problems?: number[];
    headers?: Record<string, object>;
    /** The success answer's media types when its body is not JSON (a file: text, described as a string). */
    media?: readonly string[];
  } & Pick<DescribeRouteOptions, "parameters" | "security" | "tags"> = {},
): MiddlewareHandler {
  const { alsoOk, problems = [], headers, media, ...operation } = more;
  const content = (schema: z.ZodType | undefined) => {
    if (media) return { content: Object.fromEntries(media.map((type) => [type, { schema: { type: "string" } }])) };
    return schema ? { content: { "application/json": { schema: resolver(schema, OUTPUT) } } } : {};
  };
  const response = ([, description, schema]: Answer) => ({ description, ...(headers ? { headers } : {}), ...content(schema) });
  return describeRoute({
    summary,
    ...operation,
    responses: {
      [ok[0]]: response(ok),
      ...(alsoOk ? { [alsoOk[0]]: response(alsoOk) } : {}),
      ...Object.fromEntries(problems.map((status) => [status, problemAnswer()])),
    },
  });
}

/** A page of a list answer: the items under `name` and the cursor of the next page. */
export function pageOf<T extends z.ZodType>(name: string, item: T) {
  return z.object({ [name]: z.array(item), nextCursor: z.string().nullable() });
}

/** A problem answer (RFC 9457). */
export function problemAnswer() {
  return { description: "A problem", content: { "application/problem+json": { schema: PROBLEM_REF } } };
}

/**
 * Takes a JSON body: at most `maxBytes` (413), sent as JSON (415), nested at most 32 deep and
 * parseable (400, see `readJson`), then valid against `schema` — or the `validation_failed`
 * problem with `status`, each bad field named. `refuse` may replace that problem when the
 * route reports more than the schema's errors at once. The handler reads `c.req.valid("json")`.
 */
export function jsonBody<T extends z.ZodType, E extends Env, P extends string>(
  schema: T,
  options: { status?: 400 | 422; maxBytes?: number; media?: string; refuse?: (issues: z.core.$ZodIssue[], value: unknown, c: Context<E, P>) => Error } = {},
) {
  const { status = 400, maxBytes = MAX_API_BODY_BYTES, media, refuse } = options;
  const limit = bodyLimit({ maxSize: maxBytes, onError: () => problem(413, "body_too_large", `This body is at most ${maxBytes} bytes.`) });
  const check = validator<T, "json", E, P>(
    "json",
    schema,
    (result, c) => {
      if (result.success) return;
      const issues = result.error as unknown as z.core.$ZodIssue[];
      throw refuse ? refuse(issues, result.data, c) : validationProblem(fieldErrors(issues), status);
    },
    { ...INPUT, ...(media ? { media } : {}) },
  );
  // Hono's validator takes any body whose type is not JSON for `{}`; readJson refuses it first
  // and leaves the text in Hono's body cache for the validator to parse.
  const take: typeof check = (c, next) =>
    limit(c, async () => {
      await readJson(c);
      await check(c, next);
    });
  return Object.assign(take, { [uniqueSymbol]: check[uniqueSymbol as keyof typeof check] });
}

/** Takes query parameters valid against `schema` (a repeated parameter is an array: refused unless the schema wants one). */
export function queryOf<T extends z.ZodType, E extends Env, P extends string>(schema: T) {
  return validator<T, "query", E, P>("query", schema, refuseWith400, INPUT);
}

/** Takes path parameters valid against `schema`, an object naming each (`{ id: ChallengeId }`). */
export function paramsOf<T extends z.ZodType, E extends Env, P extends string>(schema: T) {
  return validator<T, "param", E, P>("param", schema, refuseWith400, INPUT);
}

function refuseWith400(result: { success: boolean; error?: unknown; target: keyof ValidationTargets }): void {
  if (!result.success) throw validationProblem(fieldErrors(result.error as z.core.$ZodIssue[]), 400);
}
