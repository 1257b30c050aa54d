/**
 * @module
 * What kind of deployment this is, from `STEPGATE_ENV`.
 */

/**
 * Whether this deployment is the local development one: the dev outbox delivers, and a policy
 * may name loopback hosts and plain http (the demo and the tests run on 127.0.0.1).
 * @example
 * if (isDevelopment(env)) app.get("/__stepgate/dev/outbox", …);
 */
export function isDevelopment(env: { STEPGATE_ENV?: string }): boolean {
  return env.STEPGATE_ENV === "development";
}
