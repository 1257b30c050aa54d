/**
 * @module
 * Provider credentials in a policy: a reference to a Worker secret (`{ ref }`) or a value
 * sealed under stepgate's key (`{ sealed }`). An admin may send a plain string; it is sealed
 * before the policy is stored, so KV never holds one in clear and no API returns one.
 */
import type { FieldError } from "../lib/json-body";
import { pointerOf, valueAt } from "./policy-fields";
import { ProblemError } from "../lib/problem";
import { seal, unseal } from "../lib/sealed";
import type { Credential, Policy } from "./policy-schema";
import { ownerOfSecretName, secretName, type SecretPurpose } from "./secret-names";

/** Sealed credentials are bound to their tenant: one copied into another policy does not open. */
const sealContext = (tenantId: string) => `credential:${tenantId}`;

/**
 * Each place a provider credential sits in a policy, and the fields that decide where it is
 * sent (provider, account, host, base URL): the credential goes wherever those point.
 */
const CREDENTIAL_SLOTS: ReadonlyArray<{ path: string[]; purpose: SecretPurpose; destination: string[][] }> = [
  {
    path: ["factors", "sms", "twilio", "authToken"],
    purpose: "twilioAuthToken",
    destination: [
      ["factors", "sms", "provider"],
      ["factors", "sms", "twilio", "accountSid"],
      ["factors", "sms", "twilio", "apiBaseUrl"],
    ],
  },
  {
    path: ["factors", "email", "password"],
    purpose: "smtpPassword",
    destination: [
      ["factors", "email", "provider"],
      ["factors", "email", "host"],
      ["factors", "email", "port"],
      ["factors", "email", "secure"],
      ["factors", "email", "username"],
    ],
  },
  {
    path: ["factors", "email", "apiKey"],
    purpose: "resendApiKey",
    destination: [
      ["factors", "email", "provider"],
      ["factors", "email", "apiBaseUrl"],
    ],
  },
];

/**
 * Every secret reference that is not the one name its slot allows: a provider credential must
 * be this tenant's secret for that provider ({@link secretName}), and `identity.secretRef` must
 * be an identity secret. It reads the raw body as well as a validated policy, so a 422 can list
 * these beside the schema's own errors.
 * @example
 * misnamedSecretRefs("acme", body); // [{ pointer: "#/factors/sms/twilio/authToken/ref", detail: "… TENANT_ACME_TWILIO_TOKEN" }]
 */
export function misnamedSecretRefs(tenantId: string, policy: unknown): FieldError[] {
  const providerRefs = CREDENTIAL_SLOTS.flatMap(({ path, purpose }) => {
    const ref = valueAt(policy, [...path, "ref"]);
    const expected = secretName(tenantId, purpose);
    return typeof ref === "string" && ref !== expected
      ? [{ pointer: pointerOf([...path, "ref"]), detail: `this tenant's secret for this credential is named exactly ${expected}` }]
      : [];
  });
  const identityRef = valueAt(policy, ["identity", "secretRef"]);
  const identityError =
    typeof identityRef === "string" && !isIdentitySecretRef(identityRef)
      ? [
          {
            pointer: "#/identity/secretRef",
            detail: `the session key is an identity secret, TENANT_<tenant>_JWT_SECRET; this tenant's is named exactly ${secretName(tenantId, "identity")}`,
          },
        ]
      : [];
  return [...identityError, ...providerRefs];
}

/**
 * Whether `ref` may be the HS256 session key. It must be some tenant's identity secret, never a
 * provider credential or stepgate's own key. Why not only this tenant's: the key only verifies
 * and never leaves the worker, and a key that may write this policy already chooses whose
 * sessions it trusts (any `jwksUrl`), so naming another tenant's session key gains it nothing and
 * reveals nothing; meanwhile tenants of one portal may share its key, as the demo and the tests'
 * tenants share TENANT_DEMO_JWT_SECRET (a Worker cannot bind one secret per generated tenant).
 * @example
 * isIdentitySecretRef("TENANT_DEMO_JWT_SECRET") // true
 * isIdentitySecretRef("TENANT_DEMO_TWILIO_TOKEN") // false
 */
export function isIdentitySecretRef(ref: string): boolean {
  return ownerOfSecretName(ref, "identity") !== null;
}

/**
 * Sealed credentials that would move: a sealed value is kept only in the place it was sealed
 * for, sent to the same destination. Otherwise a key that may write the policy, but never saw
 * a secret, could point `apiBaseUrl` or the SMTP `host` at its own server and have stepgate
 * hand it the Twilio token or SMTP password. Changing a destination means sending the
 * credential again (plain, to be sealed, or as a secret reference).
 *
 * `keptIn` is another policy whose places count as where a credential was sealed for: only a
 * version of this tenant's own history being restored, read from its storage (every version
 * there passed this check when it was written, so its credentials go back where they were).
 * @example
 * carriedCredentials(storedPolicy, nextPolicy) // [{ pointer: "#/factors/sms/twilio/authToken", … }]
 */
export function carriedCredentials(before: Policy | null, after: Policy, keptIn: Policy | null = null): FieldError[] {
  return CREDENTIAL_SLOTS.flatMap(({ path, destination }) => {
    const sealed = valueAt(after, [...path, "sealed"]);
    if (typeof sealed !== "string") return [];
    const where = (policy: Policy | null) => JSON.stringify(destination.map((field) => valueAt(policy, field)));
    const staysAsIn = (policy: Policy | null) => policy !== null && valueAt(policy, [...path, "sealed"]) === sealed && where(policy) === where(after);
    const stays = staysAsIn(before) || staysAsIn(keptIn);
    return stays
      ? []
      : [{ pointer: pointerOf(path), detail: "send this credential again when you change where it goes; a sealed value stays only where it was sealed" }];
  });
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
 * The clear value of a credential, at the moment it is needed. A secret reference is read only
 * when it is exactly this tenant's name for `purpose`: a policy put in KV by hand is held to the
 * rule the admin API enforces, and a wrong name is refused before the secret is touched.
 * @example
 * const token = await revealCredential(env, tenantId, policy.factors.sms.twilio.authToken, "twilioAuthToken");
 */
export async function revealCredential(env: Env, tenantId: string, credential: Credential, purpose: SecretPurpose): Promise<string> {
  if (typeof credential === "string") return credential;
  if ("sealed" in credential) {
    try {
      return await unseal(env, credential.sealed, sealContext(tenantId));
    } catch {
      throw new ProblemError(
        503,
        "credential_unavailable",
        "A provider credential in the policy cannot be opened (sealed for another tenant or with a retired key).",
      );
    }
  }
  const expected = secretName(tenantId, purpose);
  if (credential.ref !== expected) {
    throw new ProblemError(503, "credential_unavailable", `The policy names ${credential.ref}; this credential of this tenant may only be ${expected}.`);
  }
  const value = (env as unknown as Record<string, unknown>)[credential.ref];
  if (typeof value !== "string" || !value) {
    throw new ProblemError(503, "credential_unavailable", `The Worker secret ${credential.ref} named by the policy is not set.`);
  }
  return value;
}
