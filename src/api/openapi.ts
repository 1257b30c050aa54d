/**
 * @module
 * The admin and user APIs as an OpenAPI 3.1 document, built from the zod schemas that
 * validate the requests (`z.toJSONSchema`), served at `/__stepgate/admin/v1/openapi.json`. A
 * test checks that every route the worker registers is described here and that the document
 * validates against the OpenAPI 3.1 schema.
 */
import * as z from "zod";
import { PolicySchema } from "../config/policy-schema";
import {
  ApiKeyView,
  AuditQuery,
  CreatedKey,
  CreateKeyBody,
  DirectoryEntry,
  DirectoryQuery,
  HistoryQuery,
  PolicyVersion,
  RequirementBody,
  RequirementResult,
  ResetResult,
  TenantAuditEntry,
  UnlockResult,
  UserDetailsView,
  type AdminScope,
} from "./admin-schemas";
import {
  ActivityEntry,
  BackupCodes,
  ChallengeDescription,
  ConfirmBody,
  Confirmed,
  Device,
  ENROLLABLE_FACTORS,
  EnrollEmailBody,
  EnrollPhoneBody,
  Grant,
  Me,
  ResendBody,
  SendBody,
  SentCode,
  TotpEnrollment,
  VerifyBody,
} from "./user-schemas";

export const ADMIN_BASE = "/__stepgate/admin/v1";
export const USER_BASE = "/__stepgate/api";

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

interface Endpoint {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path under the API's base, `{name}` for parameters. */
  path: string;
  summary: string;
  /** The admin scope needed; `null` for the public document itself. */
  scope?: AdminScope | null;
  query?: z.ZodType;
  body?: z.ZodType;
  bodyType?: string;
  /** Status → description and, when there is a body, its schema. */
  ok: [status: number, description: string, schema?: z.ZodType];
  /** Problem statuses this route answers besides the common ones. */
  problems?: number[];
  /** Another success answer (a PUT that creates answers 201). */
  alsoOk?: [status: number, description: string];
  /** Conditional request headers it reads (`If-Match`, `If-None-Match`). */
  conditional?: Array<"If-Match" | "If-None-Match">;
  /** Whether the answer carries the policy's `ETag`. */
  etag?: boolean;
}

const page = <T extends z.ZodType>(name: string, item: T) => z.object({ [name]: z.array(item), nextCursor: z.string().nullable() });

const ADMIN: Endpoint[] = [
  { method: "get", path: "/openapi.json", summary: "This document", scope: null, ok: [200, "The OpenAPI 3.1 document"] },
  {
    method: "get",
    path: "/policy",
    summary: "The tenant's policy, with its ETag",
    scope: "policy:read",
    ok: [200, "The stored policy, every default filled in", PolicySchema],
    problems: [404],
    etag: true,
  },
  {
    method: "put",
    path: "/policy",
    summary: "Replace the policy (If-Match, or If-None-Match: * to create)",
    scope: "policy:write",
    body: PolicySchema,
    ok: [200, "Stored", PolicySchema],
    alsoOk: [201, "Created (If-None-Match: *)"],
    problems: [412, 422, 428],
    conditional: ["If-Match", "If-None-Match"],
    etag: true,
  },
  {
    method: "patch",
    path: "/policy",
    summary: "Change part of the policy (JSON merge patch, RFC 7396; If-Match)",
    scope: "policy:write",
    body: z.record(z.string(), z.unknown()),
    bodyType: "application/merge-patch+json",
    ok: [200, "Stored", PolicySchema],
    problems: [404, 412, 422, 428],
    conditional: ["If-Match"],
    etag: true,
  },
  {
    method: "get",
    path: "/policy/history",
    summary: "Every policy change: who, when, what",
    scope: "policy:read",
    query: HistoryQuery,
    ok: [200, "Newest first", page("versions", PolicyVersion)],
  },
  {
    method: "get",
    path: "/users",
    summary: "The user directory",
    scope: "users:read",
    query: DirectoryQuery,
    ok: [200, "A page of users", page("users", DirectoryEntry)],
  },
  {
    method: "get",
    path: "/users/{id}",
    summary: "One user: status, factors, devices, recent activity",
    scope: "users:read",
    ok: [200, "The user", UserDetailsView],
    problems: [404],
  },
  {
    method: "post",
    path: "/users/{id}/reset",
    summary: "Remove every factor, backup code and device; the user enrols again",
    scope: "users:write",
    ok: [200, "Reset", ResetResult],
    problems: [404],
  },
  { method: "post", path: "/users/{id}/unlock", summary: "End a lockout", scope: "users:write", ok: [200, "Unlocked", UnlockResult] },
  {
    method: "put",
    path: "/users/{id}/requirement",
    summary: "Require 2FA of one user (true), exempt them (false) or follow the policy (null)",
    scope: "users:write",
    body: RequirementBody,
    ok: [200, "Set", RequirementResult],
  },
  {
    method: "delete",
    path: "/users/{id}/devices/{deviceId}",
    summary: "Stop trusting one of the user's devices",
    scope: "users:write",
    ok: [204, "Revoked"],
    problems: [404],
  },
  {
    method: "get",
    path: "/audit",
    summary: "The tenant's audit trail",
    scope: "audit:read",
    query: AuditQuery,
    ok: [200, "Newest first", page("entries", TenantAuditEntry)],
  },
  {
    method: "get",
    path: "/keys",
    summary: "The tenant's API keys (never their secrets)",
    scope: "keys:write",
    ok: [200, "Live keys", z.object({ keys: z.array(ApiKeyView) })],
  },
  {
    method: "post",
    path: "/keys",
    summary: "Make an API key; its secret is shown this once",
    scope: "keys:write",
    body: CreateKeyBody,
    ok: [201, "The new key", CreatedKey],
    problems: [422],
  },
  { method: "delete", path: "/keys/{id}", summary: "Revoke an API key at once", scope: "keys:write", ok: [204, "Revoked"], problems: [404] },
];

const USER: Endpoint[] = [
  { method: "get", path: "/me", summary: "Enrolment state and what policy requires", ok: [200, "The signed-in user", Me] },
  {
    method: "get",
    path: "/activity",
    summary: "Recent sign-ins, verifications and changes (needs the login grant)",
    ok: [200, "Newest first", z.object({ entries: z.array(ActivityEntry) })],
  },
  { method: "get", path: "/devices", summary: "Trusted devices (needs the login grant)", ok: [200, "Newest first", z.object({ devices: z.array(Device) })] },
  { method: "delete", path: "/devices/{id}", summary: "Stop trusting a device (needs the login grant)", ok: [204, "Revoked"], problems: [404] },
  { method: "delete", path: "/factors/{id}", summary: "Remove a factor (needs a fresh verification)", ok: [204, "Removed"], problems: [404, 409] },
  { method: "post", path: "/backup-codes", summary: "New backup codes; the old ones die (needs a fresh verification)", ok: [201, "Shown once", BackupCodes] },
  { method: "post", path: "/enroll/totp", summary: "Start enrolling an authenticator app", ok: [201, "Secret and QR code", TotpEnrollment], problems: [409] },
  ...(["sms", "email"] as const).flatMap((kind): Endpoint[] => [
    {
      method: "post",
      path: `/enroll/${kind}`,
      summary: `Start enrolling ${kind === "sms" ? "a phone" : "an email address"}; the first code is sent`,
      body: kind === "sms" ? EnrollPhoneBody : EnrollEmailBody,
      ok: [201, "Code sent", SentCode.extend({ enrollmentId: z.string() })],
      problems: [429],
    },
    {
      method: "post",
      path: `/enroll/${kind}/resend`,
      summary: "Send a new enrolment code",
      body: ResendBody,
      ok: [202, "Code sent", SentCode.extend({ enrollmentId: z.string() })],
      problems: [429],
    },
  ]),
  ...ENROLLABLE_FACTORS.map(
    (kind): Endpoint => ({
      method: "post",
      path: `/enroll/${kind}/confirm`,
      summary: `Confirm the ${kind} enrolment with its first code`,
      body: ConfirmBody,
      ok: [200, "Backup codes with the first factor", Confirmed],
      problems: [404, 429],
    }),
  ),
  {
    method: "get",
    path: "/challenges/{id}",
    summary: "What a challenge approves and how it can be answered",
    ok: [200, "The challenge", ChallengeDescription],
    problems: [404],
  },
  {
    method: "post",
    path: "/challenges/{id}/send",
    summary: "Send a code for a challenge",
    body: SendBody,
    ok: [202, "Code sent", SentCode],
    problems: [404, 429],
  },
  {
    method: "post",
    path: "/challenges/{id}/verify",
    summary: "Answer a challenge; the grant comes back and as a cookie",
    body: VerifyBody,
    ok: [200, "Granted", Grant],
    problems: [404, 429],
  },
  {
    method: "post",
    path: "/challenges/{id}/complete",
    summary: "Send the request held with a verified challenge, once",
    ok: [200, "Whatever the portal answered the held request (any status)"],
    problems: [404, 409],
  },
];

let built: object | null = null;

/** The document (built once per isolate). */
export function openApiDocument(): object {
  built ??= {
    openapi: "3.1.0",
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
      schemas: { Problem: jsonSchema(Problem, "output") },
    },
    paths: {
      ...pathsOf(ADMIN_BASE, ADMIN, "admin"),
      ...pathsOf(USER_BASE, USER, "user"),
    },
  };
  return built;
}

/** Every documented route, as `METHOD /full/path` with `{param}`s, for the coverage test. */
export function documentedRoutes(): string[] {
  return [...ADMIN.map((e) => `${e.method.toUpperCase()} ${ADMIN_BASE}${e.path}`), ...USER.map((e) => `${e.method.toUpperCase()} ${USER_BASE}${e.path}`)];
}

function pathsOf(base: string, endpoints: Endpoint[], tag: "admin" | "user"): Record<string, Record<string, object>> {
  const paths: Record<string, Record<string, object>> = {};
  for (const e of endpoints) {
    const [status, description, schema] = e.ok;
    // Every route: 400 bad input, 421 a host no tenant serves, 503 state or policy unavailable;
    // admin routes 401/403 (key, scope); the user API 401 (no portal session, or a step-up).
    const common = [400, 401, 421, 503, ...(tag === "admin" && e.scope !== null ? [403] : []), ...(e.body ? [413, 415] : [])];
    const problems = [...new Set([...common, ...(e.problems ?? [])])].sort();
    const etagHeader = e.etag ? { headers: { ETag: { description: "The policy's strong ETag, for If-Match", schema: { type: "string" } } } } : {};
    paths[`${base}${e.path}`] ??= {};
    paths[`${base}${e.path}`]![e.method] = {
      operationId: `${tag}_${e.method}_${e.path
        .replace(/[{}]/g, "")
        .replace(/[^\w]+/g, "_")
        .replace(/^_|_$/g, "")}`,
      summary: e.summary,
      tags: [tag],
      security: tag === "user" ? [{ portalSession: [] }] : e.scope === null ? [] : [{ adminKey: e.scope ? [e.scope] : [] }],
      parameters: [
        ...pathParameters(e.path),
        ...queryParameters(e.query),
        ...(e.conditional ?? []).map((name) => ({
          name,
          in: "header",
          required: false,
          description: name === "If-Match" ? "The ETag from GET /policy (or *); required unless creating" : "* to create a policy only where none exists",
          schema: { type: "string" },
        })),
      ],
      ...(e.body ? { requestBody: { required: true, content: { [e.bodyType ?? "application/json"]: { schema: jsonSchema(e.body, "input") } } } } : {}),
      responses: {
        [status]: { description, ...etagHeader, ...(schema ? { content: { "application/json": { schema: jsonSchema(schema, "output") } } } : {}) },
        ...(e.alsoOk
          ? {
              [e.alsoOk[0]]: {
                description: e.alsoOk[1],
                ...etagHeader,
                ...(schema ? { content: { "application/json": { schema: jsonSchema(schema, "output") } } } : {}),
              },
            }
          : {}),
        ...Object.fromEntries(
          problems.map((code) => [
            code,
            { description: "A problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
          ]),
        ),
      },
    };
  }
  return paths;
}

function pathParameters(path: string): object[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: "path", required: true, schema: { type: "string" } }));
}

function queryParameters(query: z.ZodType | undefined): object[] {
  if (!query) return [];
  const schema = jsonSchema(query, "input") as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: schema.required?.includes(name) ?? false,
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): object {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
