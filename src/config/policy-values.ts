/**
 * @module
 * The value shapes several parts of the policy share: an http(s) URL, a reference to a Worker
 * secret, and a provider credential.
 */
import * as z from "zod";

/** An http(s) URL; unlike `z.httpUrl()` it accepts IP addresses and `localhost` origins. */
export const HttpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

/** An https URL: a link shown to users (support, the portal) never downgrades them to http. */
export const HttpsUrl = z.url({ protocol: /^https$/, error: "an https URL" });

/**
 * Credentials are never stored in KV in clear; a policy names the Worker secret that holds
 * them. Only names starting with TENANT_ may be referenced, so a policy can never point at
 * stepgate's own keys (admin key, encryption keys).
 */
export const SecretRef = z.string().regex(/^TENANT_[A-Z0-9_]+$/, "a secret reference names a Worker secret starting with TENANT_");

/**
 * A provider credential. Stored only as a reference to a Worker secret or sealed under
 * stepgate's key; a plain string in an admin `PUT` is sealed before it is written.
 */
export const Credential = z.union([
  z.strictObject({ ref: SecretRef }),
  z.strictObject({ sealed: z.string().regex(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, "a sealed value") }),
  z.string().min(1).max(1024),
]);
export type Credential = z.infer<typeof Credential>;
