/**
 * @module
 * What changed between two policies, as a list of JSON pointers with their old and new values,
 * for the policy history. Credentials are named but never shown, sealed or (written to KV by
 * hand) plain.
 */
import * as z from "zod";
import { isObject } from "../lib/merge-patch";

/** One change: the JSON pointer, and the value before and after (absent when added or removed). */
export const PolicyChange = z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() });
export type PolicyChange = z.infer<typeof PolicyChange>;

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

/** Fields that hold a provider credential; a plain one (written to KV by hand) is never shown either. */
const CREDENTIAL_FIELDS = new Set(["authToken", "password", "apiKey"]);
const HIDDEN = "(hidden)";

/**
 * Whether `value` at `path` is the mark a change shows in place of a credential: the credential
 * itself, hidden or sealed, or a sealed one's value.
 * @example
 * isHiddenCredential("/factors/email/password", { sealed: "(sealed)" }) // true
 */
export function isHiddenCredential(path: string, value: unknown): boolean {
  const key = path.slice(path.lastIndexOf("/") + 1);
  if (key === "sealed") return value === SEALED;
  if (!CREDENTIAL_FIELDS.has(key)) return false;
  return value === HIDDEN || (isObject(value) && Object.keys(value).length === 1 && value.sealed === SEALED);
}

function shown(path: string, value: unknown): unknown {
  const key = path.slice(path.lastIndexOf("/") + 1);
  if (key === "sealed") return SEALED;
  if (CREDENTIAL_FIELDS.has(key) && typeof value === "string") return HIDDEN;
  if (typeof value !== "object" || value === null) return value;
  return JSON.parse(
    JSON.stringify(value, (inner: string, v: unknown) => (inner === "sealed" ? SEALED : CREDENTIAL_FIELDS.has(inner) && typeof v === "string" ? HIDDEN : v)),
  );
}
