/**
 * @module
 * `/policy` for the request's tenant: `GET` with its ETag, `PUT` (replace) and `PATCH` (JSON
 * merge patch, RFC 7396), both conditional on `If-Match`, and `GET /policy/history`. Only a
 * policy that validates completely is ever stored; the write itself is a compare-and-swap in
 * the tenant's Durable Object, so two admins holding the same ETag cannot both win.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AdminEnv } from "../app-env";
import { carriedCredentials, misnamedSecretRefs, sealCredentials } from "../config/credentials";
import { adoptPolicy } from "../config/policy-cache";
import { PolicySchema, type Policy } from "../config/policy-schema";
import { isDevelopment } from "../config/deployment";
import { unsafeDestinations } from "../config/unsafe-destinations";
import { fieldErrors, readJson, validate } from "../lib/json-body";
import { mergePatch } from "../lib/merge-patch";
import { ProblemError, problem } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import type { StoredPolicy } from "../state/tenant/policy-history";
import { tenantState, type PolicyWrite } from "../state/tenant";
import { requireScope } from "./admin-auth";
import { HistoryQuery, type PolicyVersion } from "./admin-schemas";

/** A policy is configuration, not data: 64 KiB is far more than any real one needs. */
export const MAX_POLICY_BYTES = 64 * 1024;

export const adminPolicy = new Hono<AdminEnv>();

const policyBodyLimit = bodyLimit({
  maxSize: MAX_POLICY_BYTES,
  onError: () => problem(413, "body_too_large", `A policy is at most ${MAX_POLICY_BYTES} bytes.`),
});

adminPolicy.get("/policy", requireScope("policy:read"), async (c) => {
  const current = await tenantState(c.env, c.var.tenant.tenantId).currentPolicy();
  if (!current) throw new ProblemError(404, "policy_not_found", `Tenant ${c.var.tenant.tenantId} has no policy yet.`);
  return c.body(current.text, 200, { "Content-Type": "application/json", ETag: current.etag, "Cache-Control": "no-store" });
});

adminPolicy.get("/policy/history", requireScope("policy:read"), async (c) => {
  const query = validate(HistoryQuery, c.req.query(), 400);
  const versions = (await tenantState(c.env, c.var.tenant.tenantId).policyHistory(query.limit, query.cursor ?? null)) as PolicyVersion[];
  const last = versions.at(-1);
  return c.json({ versions, nextCursor: versions.length === query.limit && last ? String(last.version) : null });
});

adminPolicy.put("/policy", requireScope("policy:write"), policyBodyLimit, async (c) => {
  const current = await tenantState(c.env, c.var.tenant.tenantId).currentPolicy();
  checkPreconditions(c.req.header("If-Match"), c.req.header("If-None-Match"), current?.etag ?? null);
  return storePolicy(c, current, await readJson(c));
});

adminPolicy.patch("/policy", requireScope("policy:write"), policyBodyLimit, async (c) => {
  const current = await tenantState(c.env, c.var.tenant.tenantId).currentPolicy();
  if (!current) throw new ProblemError(404, "policy_not_found", `Tenant ${c.var.tenant.tenantId} has no policy to patch; PUT one first.`);
  checkPreconditions(c.req.header("If-Match"), undefined, current.etag);
  const patch = await readJson(c);
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new ProblemError(400, "validation_failed", "Invalid field: #/", {
      errors: [{ pointer: "#/", detail: "a merge patch of a policy is a JSON object" }],
    });
  }
  return storePolicy(c, current, mergePatch(JSON.parse(current.text), patch));
});

/**
 * Validates, seals plain credentials and stores `candidate` in place of `current`; 412 when
 * another write landed since `current` was read.
 */
async function storePolicy(c: Context<AdminEnv>, current: StoredPolicy | null, candidate: unknown): Promise<Response> {
  const { tenantId } = c.var.tenant;
  const parsed = PolicySchema.safeParse(candidate);
  const before = current ? PolicySchema.safeParse(parsedOrNull(current.text)) : null;
  const rules = { development: isDevelopment(c.env) };
  const errors = [
    ...(parsed.success ? carriedCredentials(before?.success ? before.data : null, parsed.data) : fieldErrors(parsed.error)),
    ...misnamedSecretRefs(tenantId, candidate),
    ...unsafeDestinations(candidate, rules),
  ];
  if (!parsed.success || errors.length > 0) {
    const fields = [...new Set(errors.map((e) => e.pointer))].join(", ");
    throw new ProblemError(422, "validation_failed", `Invalid field${errors.length === 1 ? "" : "s"}: ${fields}`, { errors });
  }
  const policy = withEnforcementDates(current?.text ?? null, await sealCredentials(c.env, tenantId, parsed.data), new Date());
  // Stored with every default filled in, so what GET shows is exactly what is enforced.
  const text = JSON.stringify(policy);
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
