/**
 * @module
 * Storing a tenant's policy: the one write the admin API's `PUT`/`PATCH /policy` and the
 * console's settings and history pages share. Only a policy that validates completely is ever
 * stored (schema, then what the schema cannot see), plain credentials are sealed, the dates
 * stepgate manages are kept, and the write is a compare-and-swap in the tenant's Durable Object,
 * so two admins holding the same version cannot both win.
 */
import { carriedCredentials, misnamedSecretRefs, sealCredentials } from "../config/credentials";
import { isDevelopment } from "../config/deployment";
import { adoptPolicy } from "../config/policy-cache";
import { type Policy, PolicySchema } from "../config/policy-schema";
import { unsafeDestinations } from "../config/unsafe-destinations";
import { type FieldError, fieldErrors, validationProblem } from "../lib/json-body";
import { ProblemError } from "../lib/problem";
import { textOverrideErrors } from "../pages/i18n/text-overrides";
import { type PolicyWrite, tenantState } from "../state/tenant";
import type { StoredPolicy } from "../state/tenant/policy-history";
import type { RequestOrigin } from "../state/user/audit";

/** A policy is configuration, not data: 64 KiB is far more than any real one needs. */
export const MAX_POLICY_BYTES = 64 * 1024;

/** Who writes, and from where: recorded with the version. */
export interface PolicyWriter {
  actor: string;
  origin: RequestOrigin;
}

/** What else a write may keep: only `restorePolicyVersion` passes it. */
export interface PolicyWriteOptions {
  /** The history's version being restored: its sealed credentials may go back where they were (see `carriedCredentials`). */
  restoring?: Policy;
}

/** A stored write: the policy as stored (every default filled in) and its new ETag. */
export interface StoredWrite {
  text: string;
  etag: string;
  created: boolean;
}

/**
 * Validates `candidate`, seals its plain credentials and stores it in place of `current` (`null`:
 * only where the tenant has no policy). Throws a 422 `validation_failed` naming every field at
 * once, or a 412 `precondition_failed` (with the current `etag`) when another write landed
 * since `current` was read; nothing is written then.
 * @example
 * const stored = await storePolicy(c.env, tenantId, current, candidate, { actor: "user:ann", origin });
 */
export async function storePolicy(
  env: Env,
  tenantId: string,
  current: StoredPolicy | null,
  candidate: unknown,
  writer: PolicyWriter,
  options: PolicyWriteOptions = {},
): Promise<StoredWrite> {
  const parsed = PolicySchema.safeParse(candidate);
  const before = current ? PolicySchema.safeParse(parsedOrNull(current.text)) : null;
  const rules = { development: isDevelopment(env) };
  const errors = [
    ...(parsed.success ? carriedCredentials(before?.success ? before.data : null, parsed.data, options.restoring ?? null) : fieldErrors(parsed.error.issues)),
    ...crossFieldErrors(env, tenantId, candidate),
  ];
  if (!parsed.success || errors.length > 0) throw validationProblem(errors, 422);
  const policy = withEnforcementDates(current?.text ?? null, await sealCredentials(env, tenantId, parsed.data), new Date());
  // Stored with every default filled in, so what GET shows is exactly what is enforced.
  const text = JSON.stringify(policy);
  // Patches add up: the stored policy stays within what one PUT may send, so GET then PUT fits
  // (and a version always fits the history's row).
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_POLICY_BYTES) {
    throw validationProblem([{ pointer: "#/", detail: `the policy would be ${bytes} bytes stored; a policy is at most ${MAX_POLICY_BYTES}` }], 422);
  }
  const written: PolicyWrite = await tenantState(env, tenantId).writePolicy({
    expected: current ? { etag: current.etag } : { nothing: true },
    text,
    actor: writer.actor,
    origin: writer.origin,
  });
  if (!written.ok) {
    throw new ProblemError(412, "precondition_failed", "The policy changed while this write was made; GET it again and reapply your change.", {
      etag: written.currentEtag,
    });
  }
  adoptPolicy(tenantId, text, Date.now(), rules);
  return { text, etag: written.etag, created: written.created };
}

/**
 * What the schema cannot see: secret names that are not the tenant's own, destinations a policy
 * may not name, wordings that are no catalogue's or lose its placeholders.
 */
export function crossFieldErrors(env: Env, tenantId: string, candidate: unknown): FieldError[] {
  return [...misnamedSecretRefs(tenantId, candidate), ...unsafeDestinations(candidate, { development: isDevelopment(env) }), ...textOverrideErrors(candidate)];
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

/** `text` as JSON, or `null` when it is not JSON (a stored policy that is not JSON has nothing worth keeping). */
export function parsedOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
