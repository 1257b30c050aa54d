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
 * Every credential reference in `policy` that names a secret of another tenant.
 * @example
 * const errors = foreignCredentialRefs("acme", policy); // [{ pointer: "#/factors/email/password", … }]
 */
export function foreignCredentialRefs(tenantId: string, policy: Policy): FieldError[] {
  const prefix = credentialRefPrefix(tenantId);
  const { sms, email } = policy.factors;
  const fields: Array<[string, Credential | undefined]> = [
    ["#/factors/sms/twilio/authToken/ref", sms.twilio?.authToken],
    ["#/factors/email/password/ref", email.password],
    ["#/factors/email/apiKey/ref", email.apiKey],
  ];
  return fields
    .filter(([, credential]) => typeof credential === "object" && "ref" in credential && !credential.ref.startsWith(prefix))
    .map(([pointer]) => ({ pointer, detail: `a credential reference of this tenant starts with ${prefix}` }));
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
