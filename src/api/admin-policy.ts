/**
 * @module
 * `/policy` for the request's tenant: `GET` with its ETag, `PUT` (replace) and `PATCH` (JSON
 * merge patch, RFC 7396), both conditional on `If-Match`, and `GET /policy/history`. Only a
 * policy that validates completely is ever stored; the write itself is a compare-and-swap in
 * the tenant's Durable Object, so two admins holding the same ETag cannot both win.
 */
import { type Context, Hono, type Input, type MiddlewareHandler } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { carriedCredentials, misnamedSecretRefs, sealCredentials } from "../config/credentials";
import { isDevelopment } from "../config/deployment";
import { adoptPolicy } from "../config/policy-cache";
import { type Policy, PolicySchema } from "../config/policy-schema";
import { unsafeDestinations } from "../config/unsafe-destinations";
import { textOverrideErrors } from "../pages/i18n/text-overrides";
import { type FieldError, fieldErrors, validationProblem } from "../lib/json-body";
import { mergePatch } from "../lib/merge-patch";
import { ProblemError } from "../lib/problem";
import { type PolicyWrite, tenantState } from "../state/tenant";
import type { StoredPolicy } from "../state/tenant/policy-history";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { HistoryQuery, PolicyVersion } from "./admin-schemas";
import { answers, jsonBody, pageOf, queryOf } from "./route-declarations";

/** A policy is configuration, not data: 64 KiB is far more than any real one needs. */
export const MAX_POLICY_BYTES = 64 * 1024;

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
    refuse: (issues, value, c) => validationProblem([...fieldErrors(issues), ...crossFieldErrors(c, value)], 422),
  }),
  async (c) => storePolicy(c, c.var.current, await c.req.json()),
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
    return storePolicy(c, current, mergePatch(JSON.parse(current.text), await c.req.json()));
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
 * What the schema cannot see: secret names that are not the tenant's own, destinations a policy
 * may not name, wordings that are no catalogue's or lose its placeholders.
 */
function crossFieldErrors<P extends string, I extends Input>(c: Context<WriteEnv, P, I>, candidate: unknown): FieldError[] {
  return [
    ...misnamedSecretRefs(c.var.tenant.tenantId, candidate),
    ...unsafeDestinations(candidate, { development: isDevelopment(c.env) }),
    ...textOverrideErrors(candidate),
  ];
}

/**
 * Validates, seals plain credentials and stores `candidate` in place of `current`; 412 when
 * another write landed since `current` was read.
 */
async function storePolicy<P extends string, I extends Input>(c: Context<WriteEnv, P, I>, current: StoredPolicy | null, candidate: unknown): Promise<Response> {
  const { tenantId } = c.var.tenant;
  const parsed = PolicySchema.safeParse(candidate);
  const before = current ? PolicySchema.safeParse(parsedOrNull(current.text)) : null;
  const rules = { development: isDevelopment(c.env) };
  const errors = [
    ...(parsed.success ? carriedCredentials(before?.success ? before.data : null, parsed.data) : fieldErrors(parsed.error.issues)),
    ...crossFieldErrors(c, candidate),
  ];
  if (!parsed.success || errors.length > 0) throw validationProblem(errors, 422);
  const policy = withEnforcementDates(current?.text ?? null, await sealCredentials(c.env, tenantId, parsed.data), new Date());
  // Stored with every default filled in, so what GET shows is exactly what is enforced.
  const text = JSON.stringify(policy);
  // Patches add up: the stored policy stays within what one PUT may send, so GET then PUT fits
  // (and a version always fits the history's row).
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_POLICY_BYTES) {
    throw validationProblem([{ pointer: "#/", detail: `the policy would be ${bytes} bytes stored; a policy is at most ${MAX_POLICY_BYTES}` }], 422);
  }
  const written: PolicyWrite = await tenantState(c.env, tenantId).writePolicy({
    expected: current ? { etag: current.etag } : { nothing: true },
    text,
    actor: c.var.admin.actor,
    origin: requestOrigin(c.req.raw),
  });
  if (!written.ok) {
    throw new ProblemError(412, "precondition_failed", "The policy changed while this write was made; GET it again and reapply your change.", {
      etag: written.currentEtag,
    });
  }
  adoptPolicy(tenantId, text, Date.now(), rules);
  return c.body(text, written.created ? 201 : 200, { "Content-Type": "application/json", ETag: written.etag });
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

/**
 * Keeps the dates stepgate manages itself: when `enabled` or `enforcement` changes the change is
 * dated, and turning 2FA on again with `reenrollOnReenable` starts a new enrolment epoch.
 * Whatever the admin sent for these fields is ignored.
 */
export function withEnforcementDates(currentText: string | null, next: Policy, now: Date): Policy {
  const previous = currentText ? PolicySchema.safeParse(parsedOrNull(currentText)) : null;
  const before = previous?.success ? previous.data : null;
  const changed = !before || before.enabled !== next.enabled || before.enforcement !== next.enforcement;
  const reenabled = before !== null && !before.enabled && next.enabled;
  return {
    ...next,
    enforcementChangedAt: changed ? now.toISOString() : before.enforcementChangedAt,
    enrollmentEpoch: reenabled && next.reenrollOnReenable ? now.getTime() : before?.enrollmentEpoch,
  };
}

function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A stored policy that is not JSON has no dates worth keeping.
    return null;
  }
}
