/**
 * @module
 * `GET` and `PUT /__stepgate/admin/v1/policy` for the request's tenant. Writes are
 * conditional (`If-Match` on the ETag of the stored text) so two admins cannot silently
 * overwrite each other, and only a policy that validates completely is ever stored.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { foreignCredentialRefs, sealCredentials } from "../config/credentials";
import { kvKeys } from "../config/kv-keys";
import { adoptPolicy } from "../config/policy-cache";
import { PolicySchema, type Policy } from "../config/policy-schema";
import { sha256Hex } from "../lib/crypto";
import { readJson, validate } from "../lib/json-body";
import { ProblemError, problem } from "../lib/problem";

/** A policy is configuration, not data: 64 KiB is far more than any real one needs. */
export const MAX_POLICY_BYTES = 64 * 1024;

export const adminPolicy = new Hono<AppEnv>();

adminPolicy.get("/policy", async (c) => {
  const { tenantId } = c.var.tenant;
  const text = await c.env.POLICY.get(kvKeys.policy(tenantId));
  if (text === null) throw new ProblemError(404, "policy_not_found", `Tenant ${tenantId} has no policy yet.`);
  return c.body(text, 200, { "Content-Type": "application/json", ETag: await etagOf(text), "Cache-Control": "no-store" });
});

adminPolicy.put(
  "/policy",
  bodyLimit({
    maxSize: MAX_POLICY_BYTES,
    onError: () => problem(413, "body_too_large", `A policy is at most ${MAX_POLICY_BYTES} bytes.`),
  }),
  async (c) => {
    const { tenantId } = c.var.tenant;
    const current = await c.env.POLICY.get(kvKeys.policy(tenantId));
    checkPreconditions(c.req.header("If-Match"), c.req.header("If-None-Match"), current && (await etagOf(current)));
    const validated = validate(PolicySchema, await readJson(c));
    const foreign = foreignCredentialRefs(tenantId, validated);
    if (foreign.length > 0) {
      throw new ProblemError(422, "validation_failed", `Invalid fields: ${foreign.map((e) => e.pointer).join(", ")}`, { errors: foreign });
    }
    // Plain credentials are sealed before anything is stored.
    const policy = withEnforcementDates(current, await sealCredentials(c.env, tenantId, validated), new Date());
    // Stored with every default filled in, so what GET shows is exactly what is enforced.
    const text = JSON.stringify(policy);
    await c.env.POLICY.put(kvKeys.policy(tenantId), text);
    adoptPolicy(tenantId, text, Date.now());
    return c.body(text, current === null ? 201 : 200, {
      "Content-Type": "application/json",
      ETag: await etagOf(text),
    });
  },
);

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

async function etagOf(text: string): Promise<string> {
  return `"${(await sha256Hex(text)).slice(0, 32)}"`;
}
