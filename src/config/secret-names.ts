/**
 * @module
 * The Worker secret names a policy may reference: exactly one per (tenant, purpose),
 * `TENANT_<tenant>_<PURPOSE>`. Provider credentials are sent to hosts the policy chooses, so a
 * name that could mean two things (another tenant's secret, the portal's session key used as a
 * Twilio token) would let a policy writer send that secret anywhere. The tenant part is an
 * injective encoding, and no purpose suffix ends another, so no two (tenant, purpose) pairs
 * share a name and no name lacks the `TENANT_` prefix that keeps stepgate's own keys out.
 */

/** Each thing a Worker secret may be for, and the suffix that says so. */
export const SECRET_PURPOSES = {
  /** The HS256 key the portal signs its sessions with (`identity.secretRef`). */
  identity: "JWT_SECRET",
  twilioAuthToken: "TWILIO_TOKEN",
  smtpPassword: "SMTP_PASSWORD",
  resendApiKey: "RESEND_KEY",
} as const;
export type SecretPurpose = keyof typeof SECRET_PURPOSES;

/** Tenant ids readable as they are: lower-case letters and digits, single inner hyphens. */
const READABLE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** What {@link READABLE_ID} ids encode to; never starts with `_`, unlike the escaped form. */
const READABLE_SEGMENT = /^[A-Z0-9]+(_[A-Z0-9]+)*$/;
const ESCAPED_SEGMENT = /^_(?:[0-9A-F]{4})*$/;

/**
 * The tenant part of a secret name, one-to-one: a readable id is upper-cased with `-` as `_`
 * (`acme-eu` → `ACME_EU`); any other id (upper case, `_`, dots, anything) is `_` and then each
 * UTF-16 unit in four hex digits (`acme_eu` → `_00610063006D0065005F00650075`), so `acme_eu`,
 * `Acme-EU` and `acme-eu` never meet.
 * @example
 * tenantSecretSegment("demo") // "DEMO"
 */
export function tenantSecretSegment(tenantId: string): string {
  if (READABLE_ID.test(tenantId)) return tenantId.toUpperCase().replaceAll("-", "_");
  let escaped = "_";
  for (let i = 0; i < tenantId.length; i++) escaped += tenantId.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0");
  return escaped;
}

/**
 * The one secret name a tenant may use for a purpose.
 * @example
 * secretName("demo", "identity") // "TENANT_DEMO_JWT_SECRET"
 * secretName("acme", "twilioAuthToken") // "TENANT_ACME_TWILIO_TOKEN"
 */
export function secretName(tenantId: string, purpose: SecretPurpose): string {
  return `TENANT_${tenantSecretSegment(tenantId)}_${SECRET_PURPOSES[purpose]}`;
}

/**
 * The tenant whose `purpose` secret `name` is, or `null` when it is nobody's: the inverse of
 * {@link secretName}, checked by encoding the answer again.
 * @example
 * ownerOfSecretName("TENANT_DEMO_JWT_SECRET", "identity") // "demo"
 * ownerOfSecretName("TENANT_DEMO_JWT_SECRET", "twilioAuthToken") // null
 */
export function ownerOfSecretName(name: string, purpose: SecretPurpose): string | null {
  const prefix = "TENANT_";
  const suffix = `_${SECRET_PURPOSES[purpose]}`;
  if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length <= prefix.length + suffix.length) return null;
  const segment = name.slice(prefix.length, -suffix.length);
  let tenantId: string;
  if (READABLE_SEGMENT.test(segment)) tenantId = segment.toLowerCase().replaceAll("_", "-");
  else if (ESCAPED_SEGMENT.test(segment)) tenantId = String.fromCharCode(...(segment.slice(1).match(/.{4}/g) ?? []).map((unit) => Number.parseInt(unit, 16)));
  else return null;
  return secretName(tenantId, purpose) === name ? tenantId : null;
}
