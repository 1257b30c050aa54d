/**
 * @module
 * Passkeys for the JSON API and the hosted pages alike: the options the browser is asked with
 * (`navigator.credentials.create()` to enrol, `get()` to answer a challenge) and the relying
 * party they are checked against. Confirming and answering go through `challenge-answers.ts`,
 * as every factor's do.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import type { WebAuthnSettings } from "../config/policy-schema";
import { type CreationOptionsJSON, type RequestOptionsJSON, creationOptions, relyingPartyId, requestOptions } from "../factors/webauthn-options";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import type { WebAuthnEnrollmentStart, WebAuthnRequest } from "../state/user";
import { freshVerificationProblem } from "./fresh-verification";
import { signedInUser } from "./require-session";
import { refusalProblem } from "./user-outcomes";

/**
 * How long the browser gives the user to touch their authenticator. Both ceremonies end sooner
 * on stepgate's side if their enrolment or challenge expires first.
 */
const PASSKEY_PROMPT_MS = 5 * 60_000;

/** Where a ceremony happens: the policy's settings, the relying party ID and the page's origin. */
export interface PasskeyCeremony {
  settings: WebAuthnSettings;
  rpId: string;
  /** The origin the browser names in its client data (`https://portal.acme.com`): the page's own. */
  origin: string;
}

/**
 * The ceremony for this request's host, or a 409: passkeys not enabled, or the policy's `rpId`
 * not covering this host (a browser would refuse the options, so they are never sent).
 * @example
 * const { rpId, origin } = passkeyCeremony(c);
 */
export function passkeyCeremony(c: Context<SessionEnv>): PasskeyCeremony {
  const settings = c.var.policy.factors.webauthn;
  if (!settings.enabled) throw new ProblemError(409, "factor_disabled", "Passkeys are not enabled here.");
  const url = new URL(c.req.url);
  const rpId = relyingPartyId(settings, url.host);
  if (!rpId) {
    throw new ProblemError(409, "passkeys_unavailable", `The policy's factors.webauthn.rpId (${settings.rpId}) is neither ${url.hostname} nor a parent of it.`);
  }
  return { settings, rpId, origin: url.origin };
}

/**
 * Whether passkeys can be offered on this request's host: enabled, and the policy's `rpId`
 * covering the host (as {@link passkeyCeremony} requires).
 * @example
 * const offered = enrollableFactors(policy).filter((f) => f !== "webauthn" || passkeysOffered(c));
 */
export function passkeysOffered(c: Context<SessionEnv>): boolean {
  const settings = c.var.policy.factors.webauthn;
  return settings.enabled && relyingPartyId(settings, new URL(c.req.url).host) !== null;
}

/**
 * Starts enrolling a passkey: the pending enrolment and the creation options for
 * `navigator.credentials.create()`. A user with a factor must have verified in this session
 * lately (401 `step_up_required` with the challenge to answer, as for any factor; `returnTo` is
 * where that challenge leads back to once answered).
 * @example
 * const { enrollmentId, publicKey } = await beginPasskeyEnrollment(c);
 */
export async function beginPasskeyEnrollment(
  c: Context<SessionEnv>,
  returnTo: string | null = null,
): Promise<{ enrollmentId: string; publicKey: CreationOptionsJSON }> {
  const { settings, rpId } = passkeyCeremony(c);
  const { identity, policy } = c.var;
  const started = await reachState<WebAuthnEnrollmentStart>(() => signedInUser(c).beginWebAuthnEnrollment({ sessionId: identity.sessionId }));
  if (!started.ok) throw started.error === "step_up_required" ? await freshVerificationProblem(c, returnTo) : refusalProblem(started);
  // The name the authenticator shows beside the portal's: the user's email where the session has one.
  const shownAs = identity.email ?? identity.userId;
  const publicKey = creationOptions(settings, {
    rpId,
    rpName: policy.branding.name,
    user: { id: started.userHandle, name: shownAs, displayName: shownAs },
    challenge: started.challenge,
    timeoutMs: PASSKEY_PROMPT_MS,
    exclude: started.exclude,
  });
  return { enrollmentId: started.enrollmentId, publicKey };
}

/**
 * The request options for answering challenge `challengeId` with a passkey: its WebAuthn
 * challenge is derived from the challenge id and the digest of the request it holds, so the
 * assertion approves that request and nothing else. 404 for a challenge that is not this
 * session's open step-up, 409 `factor_not_enrolled` for a user without a passkey.
 * @example
 * const publicKey = await passkeyRequestOptions(c, challengeId);
 */
export async function passkeyRequestOptions(c: Context<SessionEnv>, challengeId: string): Promise<RequestOptionsJSON> {
  const { settings, rpId } = passkeyCeremony(c);
  const request = await reachState<WebAuthnRequest>(() => signedInUser(c).webAuthnRequest(challengeId, c.var.identity.sessionId));
  if (!request.ok) throw refusalProblem(request);
  return requestOptions(settings, { rpId, challenge: request.challenge, timeoutMs: PASSKEY_PROMPT_MS, allow: request.allow });
}
