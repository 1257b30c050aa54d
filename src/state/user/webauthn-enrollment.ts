import { authenticationMethods } from "../../factors/authentication-methods";
import { authenticatorName, PasskeyName } from "../../factors/authenticator-names";
import { verifyRegistration } from "../../factors/webauthn";
import type { WebAuthnSettings } from "../../config/policy-schema";
import { base64url, fromBase64url } from "../../lib/encoding";
import { randomId } from "../../lib/ids";
import { applyEpoch } from "./admin";
import type { RequestOrigin } from "./audit";
import type { UserContext } from "./context";
import { activateFactor, backupCodesForNewFactor } from "./factor-activation";
import { mayAddFactor } from "./enrollment";
import { activeFactors, dropStalePending, ENROLLMENT_TTL_MS } from "./factors";
import type { WebAuthnConfirmOutcome, WebAuthnEnrollmentStart } from "./views";
import { credentialDescriptors, credentialKnown, storeCredential, userHandle } from "./webauthn-credentials";

/** Bytes of a registration challenge (WebAuthn asks for at least 16). */
const REGISTRATION_CHALLENGE_BYTES = 32;

/**
 * Starts enrolling a passkey: a pending factor with a fresh random challenge, expiring like
 * every pending enrolment ({@link ENROLLMENT_TTL_MS}).
 * @example
 * const started = beginWebAuthnEnrollment(user, { sessionId });
 * if (started.ok) creationOptions(settings, { user: { id: started.userHandle, … }, challenge: started.challenge, exclude: started.exclude, … })
 */
export function beginWebAuthnEnrollment(user: UserContext, input: { sessionId: string }): WebAuthnEnrollmentStart {
  const now = Date.now();
  // Several credentials are allowed; the same one twice is refused at confirmation, by its id.
  const refused = mayAddFactor(user, input.sessionId, now, () => false);
  if (refused) return refused;
  const challenge = crypto.getRandomValues(new Uint8Array(REGISTRATION_CHALLENGE_BYTES));
  const enrollmentId = randomId();
  dropStalePending(user.sql, now);
  user.sql.exec(
    "INSERT INTO factors (id, kind, status, created_at, ceremony_challenge) VALUES (?, 'webauthn', 'pending', ?, ?)",
    enrollmentId,
    now,
    base64url(challenge),
  );
  user.seen(undefined, now);
  user.statusChanged();
  return { ok: true, enrollmentId, challenge, userHandle: userHandle(user.sql), exclude: credentialDescriptors(user.sql) };
}

/**
 * Confirms a passkey enrolment with the browser's `create()` response. The registration
 * challenge is spent before the response is checked, so a response is tried once whatever
 * its outcome, and of two confirmations racing only the first is checked. When `challengeId`
 * names the enrolment challenge of this session, a first factor answers it (as for TOTP).
 */
export async function confirmWebAuthnEnrollment(
  user: UserContext,
  input: {
    enrollmentId: string;
    response: unknown;
    /** The hosted page's origin and the relying party ID its options named. */
    ceremony: { origin: string; rpId: string };
    settings: Pick<WebAuthnSettings, "userVerification" | "algorithms">;
    /** The user's name for the credential; unset, the authenticator's maker where its AAGUID is known. */
    name: string | null;
    sessionId: string;
    challengeId: string | null;
    backupCodeCount: number;
    origin: RequestOrigin;
    enrollmentEpoch?: number;
  },
): Promise<WebAuthnConfirmOutcome> {
  applyEpoch(user, input.enrollmentEpoch);
  const now = Date.now();
  const pending = user.sql
    .exec<{ ceremony_challenge: string }>(
      "SELECT ceremony_challenge FROM factors WHERE id = ? AND kind = 'webauthn' AND status = 'pending' AND created_at > ? AND ceremony_challenge IS NOT NULL",
      input.enrollmentId,
      now - ENROLLMENT_TTL_MS,
    )
    .toArray()[0];
  if (!pending) return { ok: false, error: "enrollment_not_found" };
  user.sql.exec("UPDATE factors SET ceremony_challenge = NULL WHERE id = ?", input.enrollmentId);

  const verdict = await verifyRegistration(input.response, {
    challenge: fromBase64url(pending.ceremony_challenge),
    origin: input.ceremony.origin,
    rpId: input.ceremony.rpId,
    userVerification: input.settings.userVerification,
    algorithms: input.settings.algorithms,
  });
  const backup = await backupCodesForNewFactor(user, input.backupCodeCount);

  // Synchronous from here: nothing can interleave between these checks and writes.
  if (user.sql.exec("SELECT 1 FROM factors WHERE id = ? AND status = 'pending'", input.enrollmentId).toArray().length === 0) {
    return { ok: false, error: "enrollment_not_found" };
  }
  const drop = () => user.sql.exec("DELETE FROM factors WHERE id = ?", input.enrollmentId);
  if (!verdict.ok) {
    drop();
    return { ok: false, error: "webauthn_refused", reason: verdict.reason };
  }
  const { credential } = verdict;
  if (credentialKnown(user.sql, credential.credentialId)) {
    drop();
    return { ok: false, error: "already_enrolled" };
  }
  if (backup.firstFactor && activeFactors(user.sql).length > 0) return { ok: false, error: "already_enrolled" };
  // Checked again, as for TOTP: an enrolment begun with no factor must not slip in after one was added elsewhere.
  const stale = mayAddFactor(user, input.sessionId, now, () => false);
  if (stale) return stale;
  // Callers check the name (`PasskeyName`); the object keeps only what that allows, whoever calls it.
  const given = input.name === null ? null : PasskeyName.safeParse(input.name);
  const name = given?.success ? given.data : authenticatorName(credential.aaguid);
  const amr = authenticationMethods({ factor: "webauthn", backupEligible: credential.backupEligible });
  const challenge = activateFactor(user, {
    enrollmentId: input.enrollmentId,
    kind: "webauthn",
    amr,
    backup,
    sessionId: input.sessionId,
    challengeId: input.challengeId,
    origin: input.origin,
    now,
    write: () => storeCredential(user.sql, input.enrollmentId, credential, name),
    detail: { aaguid: credential.aaguid },
  });
  return { ok: true, factorId: input.enrollmentId, firstFactor: backup.firstFactor, replaced: false, backupCodes: backup.codes, challenge, name, amr };
}
