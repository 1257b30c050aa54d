/**
 * @module
 * How many wrong keys the console's sign-in form takes from one client network: ten an hour at
 * each tenant, and ten an hour at the deployment's bootstrap key across all its tenants. A
 * tenant key opens one tenant and is 256 random bits; the bootstrap key opens every tenant and is
 * whatever the operator chose. Counted per tenant only, its guesses would get ten more an hour
 * with every tenant the deployment serves; so a guess at it (anything not shaped like a tenant
 * key) is also counted in one object for the whole deployment (`deploymentState`).
 *
 * Counted in the tenant's object, not in the address-limit objects the verifications' per-IP
 * limit moved to: a sign-in calls the tenant's object anyway (the key is checked and the session
 * opened there), an admin signs in a few times a day, and the bootstrap key's count must be one
 * for the deployment. Sharding it would add a call and take nothing off the tenant's object.
 */
import { perIpBucket } from "../lib/client-ip";
import { reachState } from "../lib/reach-state";
import { deploymentState, tenantState, type VerifyAttempt } from "../state/tenant";
import { parseApiKey } from "../state/tenant/keys";

/** An attempt counted (forget it when the key proves right: only wrong keys add up), or refused for a while. */
export type SignInAttempt = { ok: true; forget(): Promise<void> } | { ok: false; retryAfterSeconds: number };

/**
 * Counts a sign-in with `presented` before the key is checked (so parallel guesses cannot pass
 * the limit: see `takeSignInAttempt`), or refuses it when either limit it falls under is reached.
 * @example
 * const attempt = await takeKeySignInAttempt(c.env, tenantId, c.req.raw, presented);
 * if (attempt.ok && rightKey) await attempt.forget();
 */
export async function takeKeySignInAttempt(env: Env, tenantId: string, request: Request, presented: string): Promise<SignInAttempt> {
  const bucket = perIpBucket(request, "console-sign-in");
  const tenant = tenantState(env, tenantId);
  const own = await reachState<VerifyAttempt>(() => tenant.takeSignInAttempt(bucket));
  if (!own.ok) return own;
  const forgetOwn = () => reachState(() => tenant.forgetSignInAttempt(own.id));
  if (parseApiKey(presented)) return { ok: true, forget: forgetOwn };
  const deployment = deploymentState(env);
  // A bucket of its own name: were a tenant ever given the deployment object's id, its own counts would stay apart.
  const wide = await reachState<VerifyAttempt>(() => deployment.takeSignInAttempt(`bootstrap|${bucket}`));
  if (!wide.ok) {
    // Refused, so not counted at the tenant either (as a refusal there is not).
    await forgetOwn();
    return wide;
  }
  return {
    ok: true,
    forget: async () => {
      await forgetOwn();
      await reachState(() => deployment.forgetSignInAttempt(wide.id));
    },
  };
}
