/**
 * @module
 * Signing a webhook delivery as the Standard Webhooks specification says
 * (https://www.standardwebhooks.com/), so a receiver verifies it with that project's library in
 * any language: `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature`, each
 * signature `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, several separated by
 * spaces (any one that verifies is enough: how two secrets are valid at once while rotating).
 * A secret is `whsec_` + the base64 of its key's bytes. WebCrypto only.
 */
import { base64, fromBase64url } from "./encoding";

const SECRET_PREFIX = "whsec_";
/** 256 random bits: the spec asks for 24 to 64 bytes. */
const SECRET_BYTES = 32;
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;
const encoder = new TextEncoder();

/**
 * A new signing secret, in the form receivers' libraries take (`new Webhook(secret)`).
 * @example
 * newWebhookSecret() // "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8Rb5Pqlkz2w="
 */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${base64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

/**
 * The three headers of one delivery attempt, signed with each of `secrets` (newest first).
 * `body` must be the exact text sent: the signature covers its bytes.
 * @example
 * const headers = await standardWebhookHeaders(["whsec_…"], "u-9f3c…-42", Math.floor(Date.now() / 1000), body);
 * // { "webhook-id": "u-9f3c…-42", "webhook-timestamp": "1764581412", "webhook-signature": "v1,K5oZ…=" }
 */
export async function standardWebhookHeaders(secrets: readonly string[], id: string, timestampSeconds: number, body: string): Promise<Record<string, string>> {
  const signed = encoder.encode(`${id}.${timestampSeconds}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await crypto.subtle.importKey("raw", secretKeyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return `v1,${base64(await crypto.subtle.sign("HMAC", key, signed))}`;
    }),
  );
  return { "webhook-id": id, "webhook-timestamp": String(timestampSeconds), "webhook-signature": signatures.join(" ") };
}

function secretKeyBytes(secret: string): Uint8Array {
  if (!SECRET_FORMAT.test(secret)) throw new Error("not a Standard Webhooks secret (whsec_ + base64)");
  return fromBase64url(secret.slice(SECRET_PREFIX.length));
}
