/**
 * @module
 * What a new passkey is called before its owner renames it: the maker's name for the
 * authenticator's AAGUID where stepgate knows it, otherwise the kind of credential it is, which
 * the pages word in the reader's language.
 *
 * The AAGUID comes unattested (stepgate asks for no attestation), so a name is a courtesy to
 * tell two passkeys apart, never evidence of what made them. Sources: the passkey providers from
 * passkeydeveloper/passkey-authenticator-aaguids (`aaguid.json`, August 2026 — Apple's own
 * entry is now named "Apple Passwords"); the YubiKeys from Yubico's list (yubi.co/aaguids).
 */
import * as z from "zod";

/**
 * A name a user gives a passkey: shown on their settings page and to admins, so one line of
 * plain text — control and formatting characters (a right-to-left override among them) refused.
 */
export const PasskeyName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, "plain text: no control or formatting characters")
  .describe("A name for the passkey (1–64 characters).");

const NAMES: Record<string, string> = {
  "fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "Apple Passwords",
  "dd4ec289-e01d-41c9-bb89-70fa845d4bf2": "iCloud Keychain (Managed)",
  "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
  "08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
  "9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
  "6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
  "d3452668-01fd-4c12-926c-83a4204853aa": "Microsoft Password Manager",
  "bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
  "d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",
  "cb69481e-8ff7-4039-93ec-0a2729a154a8": "YubiKey 5",
  "ee882879-721c-4913-9775-3dfcce97072a": "YubiKey 5",
  "fa2b99dc-9e39-4257-8f92-4a30d23c4118": "YubiKey 5 NFC",
  "2fc0579f-8113-47ea-b116-bb5a8db9202a": "YubiKey 5 NFC",
  "a25342c0-3cdc-4414-8e46-f4807fca511c": "YubiKey 5 NFC",
};

/** Transports only a roaming authenticator (a security key) uses. */
const ROAMING = new Set(["usb", "nfc", "ble", "smart-card"]);

/**
 * The maker's name for an AAGUID (`8-4-4-4-12` lowercase hex), or null when unknown (the all-zero
 * AAGUID included: an authenticator that does not say).
 * @example
 * authenticatorName("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4") // "Google Password Manager"
 */
export function authenticatorName(aaguid: string): string | null {
  return NAMES[aaguid] ?? null;
}

/**
 * What to call a credential whose maker is unknown: a `security_key` when it may not be copied
 * off the device (not backup-eligible) and reaches the browser only over USB, NFC or Bluetooth;
 * otherwise a `passkey`.
 * @example
 * credentialKind({ backupEligible: false, transports: ["usb", "nfc"] }) // "security_key"
 */
export function credentialKind(credential: { backupEligible: boolean; transports: readonly string[] }): "passkey" | "security_key" {
  const roaming = credential.transports.length > 0 && credential.transports.every((transport) => ROAMING.has(transport));
  return !credential.backupEligible && roaming ? "security_key" : "passkey";
}
