/**
 * The bench's users with a passkey, as a browser with a passkey makes them: enrolled through the
 * user API's ceremony (creation options, the authenticator's new credential, confirm) and, for each
 * challenge, the request options fetched and the authenticator's assertion made over them. The
 * authenticator is the tests' software one (real P-256 keys, attestation `none`, a counter).
 */
import { fromBase64url } from "../../src/lib/encoding";
import { SoftwareCredential } from "../../test/support/software-authenticator";
import { PASSKEY_HOST, portalSession } from "../tenant";
import { inParallel } from "./load";
import { openChallenges } from "./users";

export interface PasskeyUser {
  cookie: string;
  passkey: SoftwareCredential;
}

/** A verify request ready to send: its path, the user's session and the assertion in its body. */
export interface PreparedAssertion {
  path: string;
  cookie: string;
  body: string;
}

/**
 * `base` (`http://127.0.0.1:<port>`) at the tenant's passkey hostname: the origin the browser names
 * in its client data, and whose host (less the port) is the relying party ID stepgate asks for.
 */
export function passkeyOrigin(base: string): string {
  const url = new URL(base);
  url.hostname = PASSKEY_HOST;
  return url.origin;
}

/** Users enrolled with one passkey each (their first factor), through the user API at the passkey origin. */
export async function enrollPasskeyUsers(base: string, count: number, prefix: string): Promise<PasskeyUser[]> {
  const origin = passkeyOrigin(base);
  return inParallel(count, async (i) => {
    const cookie = `portal_session=${await portalSession(`${prefix}-${i}`)}`;
    const headers = { Cookie: cookie, "Content-Type": "application/json" };
    const begun = await fetch(`${origin}/__stepgate/api/enroll/webauthn`, { method: "POST", headers });
    if (begun.status !== 201) throw new Error(`starting a passkey enrolment failed: ${begun.status} ${await begun.text()}`);
    const { enrollmentId, publicKey } = (await begun.json()) as { enrollmentId: string; publicKey: { challenge: string; rp: { id: string } } };
    const passkey = await SoftwareCredential.create("ES256");
    const response = await passkey.register({ challenge: fromBase64url(publicKey.challenge), origin, rpId: publicKey.rp.id });
    const confirmed = await fetch(`${origin}/__stepgate/api/enroll/webauthn/confirm`, {
      method: "POST",
      headers,
      body: JSON.stringify({ enrollmentId, response }),
    });
    if (confirmed.status !== 200) throw new Error(`passkey enrolment failed: ${confirmed.status} ${await confirmed.text()}`);
    return { cookie, passkey };
  });
}

/**
 * Each user's next protected request stopped, the challenge's request options fetched and the
 * passkey's assertion made over them: what the browser posts once the user touches the key.
 */
export async function passkeyAnswers(base: string, users: PasskeyUser[]): Promise<PreparedAssertion[]> {
  const origin = passkeyOrigin(base);
  const opened = await openChallenges(origin, users);
  return inParallel(opened.length, async (i) => {
    const { cookie, passkey, challengeId, path } = opened[i]!;
    const asked = await fetch(`${origin}/__stepgate/api/challenges/${challengeId}/webauthn`, { headers: { Cookie: cookie } });
    if (asked.status !== 200) throw new Error(`the passkey request options failed: ${asked.status} ${await asked.text()}`);
    const { publicKey } = (await asked.json()) as { publicKey: { challenge: string; rpId: string } };
    const response = await passkey.assert({ challenge: fromBase64url(publicKey.challenge), origin, rpId: publicKey.rpId });
    return { path, cookie, body: JSON.stringify({ factor: "webauthn", response }) };
  });
}
