/**
 * @module
 * `/policy` for the request's tenant: `GET` with its ETag, `PUT` (replace) and `PATCH` (JSON
 * merge patch, RFC 7396), both conditional on `If-Match`, and `GET /policy/history`. Only a
 * policy that validates completely is ever stored; the write itself is a compare-and-swap in
 * the tenant's Durable Object, so two admins holding the same ETag cannot both win.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { PolicySchema } from "../config/policy-schema";
import { crossFieldErrors, MAX_POLICY_BYTES, type PolicyWriter, type StoredWrite, storePolicy } from "../flows/policy-write";
import { fieldErrors, validationProblem } from "../lib/json-body";
import { mergePatch } from "../lib/merge-patch";
import { ProblemError } from "../lib/problem";
import { tenantState } from "../state/tenant";
import type { StoredPolicy } from "../state/tenant/policy-history";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { HistoryQuery, PolicyVersion } from "./admin-schemas";
import { answers, jsonBody, pageOf, queryOf } from "./route-declarations";

/** Policy writes: the policy the write replaces, read once before the body (see `preconditions`). */
type WriteEnv = AdminEnv & { Variables: { current: StoredPolicy | null } };

export const adminPolicy = new Hono<WriteEnv>();

const ETAG = { ETag: { description: "The policy's strong ETag, for If-Match", schema: { type: "string" } } };
const IF_MATCH = {
  name: "If-Match",
  in: "header" as const,
  required: false,
  description: "The ETag from GET /policy (or *); required unless creating",
  schema: { type: "string" as const },
};
const IF_NONE_MATCH = {
  name: "If-None-Match",
  in: "header" as const,
  required: false,
  description: "* to create a policy only where none exists",
  schema: { type: "string" as const },
};

/** A merge patch (RFC 7396) of a policy: any JSON object; the merged policy is what is validated. */
const PolicyPatch = z.record(z.string(), z.unknown(), { error: "a merge patch of a policy is a JSON object" });

adminPolicy.get(
  "/policy",
  requireScope("policy:read"),
  answers("The tenant's policy, with its ETag", [200, "The stored policy, every default filled in", PolicySchema], { problems: [404], headers: ETAG }),
  async (c) => {
    const current = await tenantState(c.env, c.var.tenant.tenantId).currentPolicy();
    if (!current) throw new ProblemError(404, "policy_not_found", `Tenant ${c.var.tenant.tenantId} has no policy yet.`);
    return c.body(current.text, 200, { "Content-Type": "application/json", ETag: current.etag, "Cache-Control": "no-store" });
  },
);

adminPolicy.get(
  "/policy/history",
  requireScope("policy:read"),
  answers("Every policy change: who, when, what", [200, "Newest first", pageOf("versions", PolicyVersion)]),
  queryOf(HistoryQuery),
  async (c) => {
    const query = c.req.valid("query");
    const versions = (await tenantState(c.env, c.var.tenant.tenantId).policyHistory(query.limit, query.cursor ?? null)) as PolicyVersion[];
    const last = versions.at(-1);
    return c.json({ versions, nextCursor: versions.length === query.limit && last ? String(last.version) : null });
  },
);

adminPolicy.put(
  "/policy",
  requireScope("policy:write"),
  answers("Replace the policy (If-Match, or If-None-Match: * to create)", [200, "Stored", PolicySchema], {
    alsoOk: [201, "Created (If-None-Match: *)", PolicySchema],
    problems: [412, 422, 428],
    headers: ETAG,
    parameters: [IF_MATCH, IF_NONE_MATCH],
  }),
  preconditions("put"),
  // A policy that fails its schema is refused with its cross-field errors too, all at once.
  jsonBody<typeof PolicySchema, WriteEnv, "/policy">(PolicySchema, {
    status: 422,
    maxBytes: MAX_POLICY_BYTES,
    refuse: (issues, value, c) => validationProblem([...fieldErrors(issues), ...crossFieldErrors(c.env, c.var.tenant.tenantId, value)], 422),
  }),
  async (c) => storedResponse(c, await storePolicy(c.env, c.var.tenant.tenantId, c.var.current, await c.req.json(), writer(c))),
);

adminPolicy.patch(
  "/policy",
  requireScope("policy:write"),
  answers("Change part of the policy (JSON merge patch, RFC 7396; If-Match)", [200, "Stored", PolicySchema], {
    problems: [404, 412, 422, 428],
    headers: ETAG,
    parameters: [IF_MATCH],
  }),
  preconditions("patch"),
  jsonBody(PolicyPatch, { maxBytes: MAX_POLICY_BYTES, media: "application/merge-patch+json" }),
  async (c) => {
    const current = c.var.current!;
    // The patch as sent (the declaration checked it is an object): a key the record schema would
    // drop (`__proto__`) must reach the merged policy's validation and be refused there.
    return storedResponse(c, await storePolicy(c.env, c.var.tenant.tenantId, current, mergePatch(JSON.parse(current.text), await c.req.json()), writer(c)));
  },
);

/**
 * Reads the policy a write replaces and checks the request's conditions against it before the
 * body is read; the write then swaps exactly that version (`c.var.current`) or fails with 412.
 */
function preconditions(method: "put" | "patch"): MiddlewareHandler<WriteEnv> {
  return async function preconditions(c, next) {
    const current = await tenantState(c.env, c.var.tenant.tenantId).currentPolicy();
    if (method === "patch" && !current)
      throw new ProblemError(404, "policy_not_found", `Tenant ${c.var.tenant.tenantId} has no policy to patch; PUT one first.`);
    checkPreconditions(c.req.header("If-Match"), method === "put" ? c.req.header("If-None-Match") : undefined, current?.etag ?? null);
    c.set("current", current);
    await next();
  };
}

/**
 * RFC 9110 §13.1: `If-Match` must name the current ETag (or be `*` for "whatever exists");
 * `If-None-Match: *` creates a policy only where none exists. An unconditional write is refused
 * with 428 (RFC 6585) rather than allowed to overwrite a change the admin never saw.
 */
function checkPreconditions(ifMatch: string | undefined, ifNoneMatch: string | undefined, currentEtag: string | null): void {
  if (ifMatch === undefined && ifNoneMatch?.trim() !== "*") {
    throw new ProblemError(428, "precondition_required", "Send If-Match with the ETag from GET /policy (or If-None-Match: * to create one).");
  }
  if (ifNoneMatch?.trim() === "*" && currentEtag !== null) {
    throw new ProblemError(412, "precondition_failed", "A policy already exists; send If-Match with its ETag.", { etag: currentEtag });
  }
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(",").map((tag) => tag.trim());
  const matches = currentEtag !== null && (tags.includes("*") || tags.includes(currentEtag));
  if (!matches) {
    throw new ProblemError(412, "precondition_failed", "The policy changed since you read it; GET it again and reapply your change.", {
      etag: currentEtag,
    });
  }
}

function writer(c: Context<WriteEnv>): PolicyWriter {
  return { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
}

function storedResponse(c: Context<WriteEnv>, stored: StoredWrite): Response {
  return c.body(stored.text, stored.created ? 201 : 200, { "Content-Type": "application/json", ETag: stored.etag });
}
