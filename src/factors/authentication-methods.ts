/**
 * @module
 * What a step-up proved, in the words of OpenID Connect's `amr` claim (RFC 8176 "Authentication
 * Method Reference Values"), for the assurance the origin receives and the grants that carry it.
 */

/** A backup code: stepgate's own value (RFC 8176 has none), not `otp`, which origins read as an authenticator. */
export const BACKUP_CODE_METHOD = "backup_code";
/** A trusted device's cookie standing in for a factor: stepgate's own value, and never `mfa` (see {@link authenticationMethods}). */
export const TRUSTED_DEVICE_METHOD = "trusted_device";

/** What answered a challenge, enrolled a first factor, or stood in for one. */
export type ProvedWith =
  | { factor: "totp" | "sms" | "email" | "backup_code" }
  /** A passkey or security key, with the BE flag of its authenticator data (WebAuthn §6.1). */
  | { factor: "webauthn"; backupEligible: boolean }
  | { factor: "trusted_device" };

/**
 * The `amr` values for a proof: the method, then `mfa` for every factor proved now (on top of the
 * portal's own sign-in, a second factor). A trusted device proves no factor in this session — the
 * browser shows a cookie a factor earned earlier — so it is said alone, and an origin that asks
 * for `mfa` is not satisfied by it.
 *
 * A passkey is `hwk` or `swk` by its backup eligibility, the one flag that says where the private
 * key lives: not backup-eligible (BE = 0), the key cannot leave the authenticator (a security key,
 * a TPM or secure enclave's device-bound passkey) — a hardware-secured key, `hwk`; backup-eligible
 * (BE = 1), the key may be synced to other devices through a provider's keychain (iCloud Keychain,
 * Google Password Manager) — `swk`. `authenticatorAttachment` does not decide it: a platform
 * authenticator may hold a device-bound key (Windows Hello) or a synced one, and a phone used
 * across devices is `cross-platform` with a synced key. Like every flag stepgate reads without
 * attestation (`attestation: "none"`), BE is the authenticator's own word.
 * @example
 * authenticationMethods({ factor: "totp" }) // ["otp", "mfa"]
 * authenticationMethods({ factor: "webauthn", backupEligible: true }) // ["swk", "mfa"]
 */
export function authenticationMethods(proof: ProvedWith): string[] {
  switch (proof.factor) {
    case "totp":
      return ["otp", "mfa"];
    case "sms":
      return ["sms", "mfa"];
    case "email":
      return ["mail", "mfa"];
    case "backup_code":
      return [BACKUP_CODE_METHOD, "mfa"];
    case "webauthn":
      return [proof.backupEligible ? "swk" : "hwk", "mfa"];
    case "trusted_device":
      return [TRUSTED_DEVICE_METHOD];
  }
}
