/**
 * @module
 * The WebAuthn challenge of a stepgate challenge: derived from its id and, for a `bindRequest`
 * operation, the digest of the held request — so the passkey's signature covers the exact
 * request (amount, payee) and an assertion made for one withdrawal cannot approve another.
 *
 * Why a plain SHA-256 and not an HMAC under a server key: the WebAuthn challenge must be
 * unpredictable *before it is issued* (so no assertion can be made ahead of time) and tied to
 * what is approved. The stepgate challenge id is 128 random bits made when the challenge is
 * opened, so nobody can predict the hash before then; once it is issued the challenge is no
 * secret (the page hands it to the browser), so a key would hide nothing. The binding comes
 * from verification recomputing the value from the digest stepgate holds, never from one the
 * client sends. Single use is the challenge row's job, as for every other factor. A key would
 * only add rotation to get wrong: a ceremony in flight across a key change would fail.
 */

const DOMAIN = new TextEncoder().encode("stepgate webauthn challenge v1\u0000");

/**
 * The 32 challenge bytes for `challengeId` (a `randomId()`) and the request digest (hex) of
 * a request-bound operation, or null when nothing but the challenge itself is approved.
 * @example
 * const challenge = await bindingChallenge(challenge.id, challenge.digest);
 * requestOptions({ challenge, … })
 */
export async function bindingChallenge(challengeId: string, digest: string | null): Promise<Uint8Array> {
  // The id never contains NUL (base64url), so the separator makes the encoding unambiguous.
  const message = new TextEncoder().encode(`${challengeId}\u0000${digest ?? ""}`);
  const input = new Uint8Array(DOMAIN.length + message.length);
  input.set(DOMAIN);
  input.set(message, DOMAIN.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input));
}
