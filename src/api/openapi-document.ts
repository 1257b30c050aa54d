/**
 * @module
 * The admin and user APIs as an OpenAPI 3.1 document, generated (hono-openapi) from the
 * declarations each route is registered with (`route-declarations.ts`). What every route shares
 * is added here, once: the problems any route can answer, the security schemes, and stable
 * operation ids.
 *
 * Generated at build time, in Node: `npm run assets` writes it to `assets/openapi.json`, which
 * `openapi.ts` serves; CI's `npm run assets -- --check` fails when the committed document is not
 * what the declarations generate now. The worker never imports this module.
 */
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import * as z from "zod";
import { adminApi } from "./admin-api";
import { ADMIN_BASE, apiDescription, USER_BASE } from "./openapi";
import { problemAnswer } from "./route-declarations";
import { userApi } from "./user-api";

const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string().describe("Stable, machine-readable: `validation_failed`, `precondition_failed`, `step_up_required`…"),
  detail: z.string(),
  errors: z
    .array(z.object({ pointer: z.string(), detail: z.string() }))
    .optional()
    .describe("Each invalid field, as a JSON pointer."),
});

/** Every API route as mounted by the worker, for generating the document. */
const described = new Hono().route(ADMIN_BASE, apiDescription).route(ADMIN_BASE, adminApi).route(USER_BASE, userApi);

let built: Promise<OpenApiDocument> | null = null;

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  [key: string]: unknown;
}

/** The document (generated once). */
export function openApiDocument(): Promise<OpenApiDocument> {
  built ??= generateSpecs(described, {
    documentation: {
      info: {
        title: "stepgate",
        version: "1",
        description: "Step-up two-factor verification in front of a portal. Errors are RFC 9457 problems (`application/problem+json`) with a stable `code`.",
      },
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          adminKey: {
            type: "http",
            scheme: "bearer",
            description: "The deployment's bootstrap key, or a tenant key `sgk_…` whose scopes are named per operation.",
          },
          portalSession: {
            type: "apiKey",
            in: "cookie",
            name: "portal_session",
            description: "The portal's own session JWT (cookie or header, as the tenant's policy says).",
          },
        },
        schemas: { Problem: jsonSchema(Problem) },
      },
    },
    defaultValidationErrorResponse: false,
    // Its own path ends in `.json`, which hono-openapi would otherwise skip as a static file.
    excludeStaticFile: false,
  }).then((document) => withSharedAnswers(document as unknown as OpenApiDocument));
  return built;
}

/** Every documented route, as `METHOD /full/path` with `{param}`s, for the coverage test. */
export async function documentedRoutes(): Promise<string[]> {
  const { paths } = await openApiDocument();
  return Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}

/**
 * Adds what every operation shares: a stable id (`admin_post_users_id_reset`), and the problems
 * any route can answer — 400 bad input, 421 a host no tenant serves, 503 state or policy
 * unavailable, 401 (no key or portal session, or a step-up), 403 for a scoped admin route, and
 * 413/415 wherever a body is taken.
 */
function withSharedAnswers(document: OpenApiDocument): OpenApiDocument {
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? "admin";
      const relative = path.slice((tag === "user" ? USER_BASE : ADMIN_BASE).length);
      operation.operationId = `${tag}_${method}_${relative
        .replace(/[{}]/g, "")
        .replace(/[^\w]+/g, "_")
        .replace(/^_|_$/g, "")}`;
      // A group's declaration (the user API's session) reaches each of a route's declarations once.
      if (operation.security) operation.security = [...new Map(operation.security.map((r) => [JSON.stringify(r), r])).values()];
      const scoped = operation.security?.some((requirement) => (requirement.adminKey?.length ?? 0) > 0) ?? false;
      const shared = [400, 401, 421, 503, ...(scoped ? [403] : []), ...(operation.requestBody ? [413, 415] : [])];
      for (const status of shared) operation.responses[status] ??= problemAnswer();
      operation.responses = Object.fromEntries(Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}

function jsonSchema(schema: z.ZodType): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
