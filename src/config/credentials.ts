/**
 * @module
 * Provider credentials in a policy: a reference to a Worker secret (`{ ref }`) or a value
 * sealed under stepgate's key (`{ sealed }`). An admin may send a plain string; it is sealed
 * before the policy is stored, so KV never holds one in clear and no API returns one.
 */
import type { FieldError } from "../lib/json-body";
import { ProblemError } from "../lib/problem";
import { seal, unseal } from "../lib/sealed";
import type { Credential, Policy } from "./policy-schema";

/** Sealed credentials are bound to their tenant: one copied into another policy does not open. */
const sealContext = (tenantId: string) => `credential:${tenantId}`;

/**
 * The prefix a tenant's credential references must carry: `TENANT_<TENANT ID>_`. Provider
 * credentials are sent to a host the tenant chooses (`apiBaseUrl`, SMTP `host`), so a tenant
 * must never be able to name another tenant's secret. (The identity `secretRef` is only ever a
 * verification key and never leaves the worker, so it may be shared, as the demo does.)
 * @example
 * credentialRefPrefix("acme-eu") // "TENANT_ACME_EU_"
 */
export function credentialRefPrefix(tenantId: string): string {
  return `TENANT_${tenantId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
}

/**
 * Each place a provider credential sits in a policy, and the fields that decide where it is
 * sent (provider, account, host, base URL): the credential goes wherever those point.
 */
const CREDENTIAL_SLOTS: ReadonlyArray<{ path: string[]; destination: string[][] }> = [
  {
    path: ["factors", "sms", "twilio", "authToken"],
    destination: [["factors", "sms", "provider"], ["factors", "sms", "twilio", "accountSid"], ["factors", "sms", "twilio", "apiBaseUrl"]],
  },
  {
    path: ["factors", "email", "password"],
    destination: [["factors", "email", "provider"], ["factors", "email", "host"], ["factors", "email", "port"], ["factors", "email", "secure"], ["factors", "email", "username"]],
  },
  { path: ["factors", "email", "apiKey"], destination: [["factors", "email", "provider"], ["factors", "email", "apiBaseUrl"]] },
];

/**
 * Every credential reference that names a secret of another tenant. It reads the raw body as
 * well as a validated policy, so a 422 can list these beside the schema's own errors.
 * @example
 * const errors = foreignCredentialRefs("acme", body); // [{ pointer: "#/factors/email/password/ref", … }]
 */
export function foreignCredentialRefs(tenantId: string, policy: unknown): FieldError[] {
  const prefix = credentialRefPrefix(tenantId);
  return CREDENTIAL_SLOTS.flatMap(({ path }) => {
    const ref = valueAt(policy, [...path, "ref"]);
    return typeof ref === "string" && !ref.startsWith(prefix)
      ? [{ pointer: pointerOf([...path, "ref"]), detail: `a credential reference of this tenant starts with ${prefix}` }]
      : [];
  });
}

/**
 * Sealed credentials that would move: a sealed value is kept only in the place it was sealed
 * for, sent to the same destination. Otherwise a key that may write the policy, but never saw
 * a secret, could point `apiBaseUrl` or the SMTP `host` at its own server and have stepgate
 * hand it the Twilio token or SMTP password. Changing a destination means sending the
 * credential again (plain, to be sealed, or as a secret reference).
 * @example
 * carriedCredentials(storedPolicy, nextPolicy) // [{ pointer: "#/factors/sms/twilio/authToken", … }]
 */
export function carriedCredentials(before: Policy | null, after: Policy): FieldError[] {
  return CREDENTIAL_SLOTS.flatMap(({ path, destination }) => {
    const sealed = valueAt(after, [...path, "sealed"]);
    if (typeof sealed !== "string") return [];
    const where = (policy: Policy | null) => JSON.stringify(destination.map((field) => valueAt(policy, field)));
    const stays = before !== null && valueAt(before, [...path, "sealed"]) === sealed && where(before) === where(after);
    return stays ? [] : [{ pointer: pointerOf(path), detail: "send this credential again when you change where it goes; a sealed value stays only where it was sealed" }];
  });
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function pointerOf(path: readonly string[]): string {
  return `#/${path.join("/")}`;
}

/**
 * The policy with every plain-string credential sealed.
 * @example
 * const stored = await sealCredentials(env, tenantId, validated);
 */
export async function sealCredentials(env: Env, tenantId: string, policy: Policy): Promise<Policy> {
  const sealOne = async (credential: Credential | undefined) =>
    typeof credential === "string" ? { sealed: await seal(env, credential, sealContext(tenantId)) } : credential;
  const { sms, email } = policy.factors;
  return {
    ...policy,
    factors: {
      ...policy.factors,
      sms: sms.twilio ? { ...sms, twilio: { ...sms.twilio, authToken: (await sealOne(sms.twilio.authToken))! } } : sms,
      email: { ...email, password: await sealOne(email.password), apiKey: await sealOne(email.apiKey) },
    },
  };
}

/**
 * The clear value of a credential, at the moment it is needed.
 * @example
 * const token = await revealCredential(env, tenantId, policy.factors.sms.twilio.authToken);
 */
export async function revealCredential(env: Env, tenantId: string, credential: Credential): Promise<string> {
  if (typeof credential === "string") return credential;
  if ("sealed" in credential) {
    try {
      return await unseal(env, credential.sealed, sealContext(tenantId));
    } catch {
      throw new ProblemError(503, "credential_unavailable", "A provider credential in the policy cannot be opened (sealed for another tenant or with a retired key).");
    }
  }
  if (!credential.ref.startsWith(credentialRefPrefix(tenantId))) {
    throw new ProblemError(503, "credential_unavailable", `The policy names ${credential.ref}, which is not a secret of this tenant.`);
  }
  const value = (env as unknown as Record<string, unknown>)[credential.ref];
  if (typeof value !== "string" || !value) {
    throw new ProblemError(503, "credential_unavailable", `The Worker secret ${credential.ref} named by the policy is not set.`);
  }
  return value;
}
