/**
 * @module
 * Reading one field of a policy that may not have validated (a raw admin body, a policy put in
 * KV by hand), and naming it as the JSON pointer a 422 lists.
 */

/**
 * The value at `path`, or `undefined` where the policy has no object on the way.
 * @example
 * valueAt(body, ["factors", "sms", "twilio", "authToken", "ref"])
 */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * The field as a JSON pointer (RFC 6901) in a URI fragment.
 * @example
 * pointerOf(["identity", "jwksUrl"]) // "#/identity/jwksUrl"
 */
export function pointerOf(path: readonly string[]): string {
  return `#/${path.join("/")}`;
}
