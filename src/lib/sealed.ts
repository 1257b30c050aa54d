/**
 * @module
 * Secrets at rest (TOTP seeds, held requests) sealed with AES-256-GCM under the current
 * `seal` key: `v1.<kid>.<iv>.<ciphertext>`. The caller's context (tenant, user, purpose) is
 * bound in as additional data, so a sealed value copied to another user's record or another
 * field does not open.
 */
import { base64url, fromBase64url } from "./encoding";
import { currentKey, keyById } from "./keyring";

const encoder = new TextEncoder();

/**
 * @example
 * const stored = await seal(env, secretBase32, `totp:${tenantId}:${userId}`);
 */
export async function seal(env: Env, plaintext: string, context: string): Promise<string> {
  const { kid, key } = await currentKey(env, "seal");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key, encoder.encode(plaintext));
  return `v1.${kid}.${base64url(iv)}.${base64url(ciphertext)}`;
}

/**
 * Opens a sealed value; throws when it was tampered with, sealed for another context, or
 * sealed under a key that is no longer configured.
 * @example
 * const secretBase32 = await unseal(env, stored, `totp:${tenantId}:${userId}`);
 */
export async function unseal(env: Env, sealed: string, context: string): Promise<string> {
  const [version, kid, iv, ciphertext] = sealed.split(".");
  if (version !== "v1" || !kid || !iv || !ciphertext) throw new Error("not a sealed value");
  const key = await keyById(env, "seal", kid);
  if (!key) throw new Error(`sealing key ${kid} is no longer configured`);
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64url(iv), additionalData: encoder.encode(context) },
    key,
    fromBase64url(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}
