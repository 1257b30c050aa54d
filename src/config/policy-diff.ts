/**
 * @module
 * What changed between two policies, as a list of JSON pointers with their old and new values,
 * for the policy history. Sealed credentials are named but never shown.
 */
import type { PolicyChange } from "../api/admin-schemas";

const SEALED = "(sealed)";

/**
 * Leaf-by-leaf differences; arrays are compared and reported whole.
 * @example
 * policyChanges({ enforcement: "optional" }, { enforcement: "required" })
 * // [{ path: "/enforcement", from: "optional", to: "required" }]
 */
export function policyChanges(before: unknown, after: unknown, path = ""): PolicyChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => policyChanges(before[key], after[key], `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const change: PolicyChange = { path };
  if (before !== undefined) change.from = shown(path, before);
  if (after !== undefined) change.to = shown(path, after);
  return [change];
}

function shown(path: string, value: unknown): unknown {
  if (path.endsWith("/sealed")) return SEALED;
  return typeof value === "object" && value !== null ? JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === "sealed" ? SEALED : inner))) : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
