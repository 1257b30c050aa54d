/**
 * @module
 * The request path for everything outside `/__stepgate/`: match the request to a protected
 * operation, stop it when the user must step up, otherwise proxy it to the tenant's origin.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError } from "../lib/problem";
import { proxyToOrigin } from "./proxy";
import { canonicalPath, isReservedPath } from "./request-path";
import { stepUp } from "./step-up";

/** Origin timeout used while a tenant's policy is invalid (its own setting cannot be trusted). */
const FALLBACK_ORIGIN_TIMEOUT_MS = 30_000;

/**
 * The final handler of the worker.
 * @example
 * app.all("*", resolveTenant(), forwardOrStop);
 */
export async function forwardOrStop(c: Context<AppEnv>): Promise<Response> {
  const request = c.req.raw;
  const { pathname } = new URL(request.url);
  // Any spelling of the reserved prefix (`/__StepGate//x`, `%5F_stepgate`) stays with stepgate.
  if (isReservedPath(canonicalPath(pathname))) {
    throw new ProblemError(404, "not_found", `There is no stepgate route at ${pathname}.`);
  }
  const tenant = c.var.tenant;
  if (tenant.status === "invalid") {
    const protectedRequest = !tenant.protectedRoutes || tenant.protectedRoutes.match(request.method, pathname) !== null;
    if (protectedRequest || !tenant.origin) {
      throw new ProblemError(503, "policy_invalid", `Tenant ${tenant.tenantId} ${tenant.reason}; protected operations are refused until it is fixed.`, {
        tenant: tenant.tenantId,
      });
    }
    return proxyToOrigin(request, tenant.origin, { timeoutMs: FALLBACK_ORIGIN_TIMEOUT_MS });
  }

  const { policy, matcher } = tenant;
  const matched = policy.enabled ? matcher.match(request.method, pathname) : null;
  if (matched) {
    const stop = await stepUp(c, policy, matched);
    if (stop) return stop;
  }
  return proxyToOrigin(request, new URL(policy.origin), { timeoutMs: policy.originTimeoutMs });
}
