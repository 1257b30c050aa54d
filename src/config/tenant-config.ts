/**
 * @module
 * Turns a tenant's stored policy text into what the gate needs: the validated policy and its
 * compiled operation matcher, or, when the policy is missing or invalid, the most that can be
 * salvaged safely so that protected requests fail closed while plain traffic still flows.
 */
import * as z from "zod";
import { compileOperations, type OperationMatcher } from "../gate/operation-match";
import { HttpUrl, OperationSchema, PolicySchema, type Policy } from "./policy-schema";
import { unsafeDestinations, type DestinationRules } from "./unsafe-destinations";

export type TenantConfig =
  | {
      status: "ok";
      tenantId: string;
      policy: Policy;
      matcher: OperationMatcher;
      /** `policy.origin` parsed, once per policy rather than once per request. */
      origin: URL;
    }
  | {
      status: "invalid";
      tenantId: string;
      /** Why the policy cannot be used, for the 503 problem. */
      reason: string;
      /** The origin, when the broken policy still names a valid one. */
      origin: URL | null;
      /**
       * Every route any operation lists, enabled or not and without exemptions; `null` when
       * even the routes cannot be read, in which case every request counts as protected.
       */
      protectedRoutes: OperationMatcher | null;
      /**
       * The policy's `branding` when that part is valid on its own (the broken part is elsewhere):
       * the error pages keep the tenant's look, name and way back to the portal. `null` otherwise.
       */
      branding: Policy["branding"] | null;
    };

/**
 * Operations whose routes can be read. Every key must be one the schema knows: a misspelled
 * `routse` beside `routes` may hold the routes the tenant meant to protect.
 */
const OPERATION_KEYS: ReadonlySet<string> = new Set(Object.keys(OperationSchema.shape));
const SalvageableOperations = z.record(
  z.string(),
  z
    .looseObject({ routes: OperationSchema.shape.routes })
    .refine((operation) => Object.keys(operation).every((key) => OPERATION_KEYS.has(key)), "an unknown key may hold routes"),
);

/**
 * Validates stored policy text for a tenant.
 * @example
 * const config = interpretPolicy("acme", await kv.get("policy:acme"), { development: false });
 * if (config.status === "ok") config.matcher.match("POST", "/wallet/withdraw");
 */
export function interpretPolicy(tenantId: string, text: string | null, rules: DestinationRules): TenantConfig {
  if (text === null) {
    return { status: "invalid", tenantId, reason: "has no policy", origin: null, protectedRoutes: null, branding: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { status: "invalid", tenantId, reason: "has a policy that is not JSON", origin: null, protectedRoutes: null, branding: null };
  }
  const parsed = PolicySchema.safeParse(raw);
  // A policy written to KV by hand gets the admin API's destination rules here: it fails closed.
  const unsafe = unsafeDestinations(raw, rules);
  if (parsed.success && unsafe.length === 0) {
    // The schema has already compiled every route, so this cannot throw.
    return { status: "ok", tenantId, policy: parsed.data, matcher: compileOperations(parsed.data.operations), origin: new URL(parsed.data.origin) };
  }
  const issue = parsed.success ? null : parsed.error.issues[0];
  const field = issue ? issue.path.join(".") || "policy" : (unsafe[0]?.pointer.slice(2).replaceAll("/", ".") ?? "policy");
  const why = `${field}: ${issue ? issue.message : (unsafe[0]?.detail ?? "unknown")}`;
  const salvaged = salvage(raw);
  const originRefused = unsafe.some((error) => error.pointer === "#/origin");
  const brandingRefused = unsafe.some((error) => error.pointer.startsWith("#/branding"));
  return {
    status: "invalid",
    tenantId,
    reason: `has an invalid policy (${why})`,
    ...salvaged,
    origin: originRefused ? null : salvaged.origin,
    branding: brandingRefused ? null : salvaged.branding,
  };
}

/**
 * Reads as much as can be trusted from an invalid policy. Enabled flags (the policy's and each
 * operation's) and exemptions are ignored on purpose: in a policy that failed validation they
 * may be the broken part, and ignoring them can only protect more, never less. The routes are
 * trusted only when nothing could have hidden some: `operations` missing or not an object, a
 * top-level key the schema does not know (a misspelt `operatons` may be where the tenant's
 * routes are), or an operation with an unknown key make every request count as protected.
 * The branding is kept when it is valid on its own: it only decides how an error page looks and
 * where it leads (its links are https, as in a valid policy).
 */
function salvage(raw: unknown): { origin: URL | null; protectedRoutes: OperationMatcher | null; branding: Policy["branding"] | null } {
  const fields = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const origin = HttpUrl.safeParse(fields.origin);
  const unknownKeys = Object.keys(fields).some((key) => !Object.hasOwn(PolicySchema.shape, key));
  const operations = unknownKeys || fields.operations === undefined ? null : SalvageableOperations.safeParse(fields.operations);
  const protectedRoutes = operations?.success
    ? compileSafely(
        Object.fromEntries(Object.entries(operations.data).map(([name, { routes }]) => [name, { routes, enabled: true, exempt: [], maxAge: 0, display: [] }])),
      )
    : null;
  const branding = PolicySchema.shape.branding.safeParse(fields.branding);
  return { origin: origin.success ? new URL(origin.data) : null, protectedRoutes, branding: branding.success ? branding.data : null };
}

/** A salvaged route set that does not compile is treated as unreadable (everything protected). */
function compileSafely(operations: Parameters<typeof compileOperations>[0]): OperationMatcher | null {
  try {
    return compileOperations(operations);
  } catch {
    return null;
  }
}
