import { describe, expect, it } from "vitest";
import { PolicySchema } from "../../src/config/policy-schema";
import { authenticatorName, credentialKind } from "../../src/factors/authenticator-names";
import { creationOptions, relyingPartyId, requestOptions } from "../../src/factors/webauthn-options";

const settingsOf = (webauthn: object) =>
  PolicySchema.parse({ origin: "https://portal.example", identity: { algorithm: "HS256", secretRef: "TENANT_X", cookie: "s" }, factors: { webauthn } }).factors
    .webauthn;

describe("what the browser is asked", () => {
  it("asks to create a credential with the policy's algorithms, verification, attachment and no attestation", () => {
    const settings = settingsOf({ enabled: true, algorithms: ["EdDSA", "ES256"], authenticatorAttachment: "platform", residentKey: "required" });
    const ceremony = {
      rpId: "acme.com",
      rpName: "Acme",
      user: { id: new Uint8Array([1, 2, 3]), name: "alice@acme.com", displayName: "Alice" },
      challenge: new Uint8Array([251, 255]),
      timeoutMs: 300_000,
      exclude: [{ id: "Y3JlZA", transports: ["usb"] }],
    };
    const options = creationOptions(settings, ceremony);
    expect(options).toEqual({
      rp: { id: "acme.com", name: "Acme" },
      user: { id: "AQID", name: "alice@acme.com", displayName: "Alice" },
      challenge: "-_8",
      pubKeyCredParams: [
        { type: "public-key", alg: -8 },
        { type: "public-key", alg: -7 },
      ],
      timeout: 300_000,
      excludeCredentials: [{ type: "public-key", id: "Y3JlZA", transports: ["usb"] }],
      authenticatorSelection: { authenticatorAttachment: "platform", residentKey: "required", requireResidentKey: true, userVerification: "required" },
      attestation: "none",
      extensions: { credProps: true },
    });
    const defaults = creationOptions(settingsOf({}), ceremony);
    expect(defaults.authenticatorSelection).toEqual({ residentKey: "preferred", requireResidentKey: false, userVerification: "required" });
    expect(defaults.pubKeyCredParams.map((param) => param.alg)).toEqual([-7, -8, -257]);
  });

  it("asks for an assertion from the user's own credentials only", () => {
    const options = requestOptions(settingsOf({ userVerification: "preferred" }), {
      rpId: "portal.acme.com",
      challenge: new Uint8Array([0]),
      timeoutMs: 60_000,
      allow: [
        { id: "b25l", transports: ["internal", "hybrid"] },
        { id: "dHdv", transports: [] },
      ],
    });
    expect(options).toEqual({
      challenge: "AA",
      timeout: 60_000,
      rpId: "portal.acme.com",
      allowCredentials: [
        { type: "public-key", id: "b25l", transports: ["internal", "hybrid"] },
        { type: "public-key", id: "dHdv" },
      ],
      userVerification: "preferred",
    });
  });

  it("uses the page's host unless the policy names a parent of it", () => {
    expect(relyingPartyId({}, "Portal.Acme.com:8443")).toBe("portal.acme.com");
    expect(relyingPartyId({ rpId: "acme.com" }, "portal.acme.com")).toBe("acme.com");
    expect(relyingPartyId({ rpId: "acme.com" }, "portal.other.com")).toBeNull();
    expect(relyingPartyId({}, "127.0.0.1:8787")).toBeNull();
  });
});

describe("what a new passkey is called", () => {
  it("names the authenticators it knows by their AAGUID", () => {
    expect(authenticatorName("fbfc3007-154e-4ecc-8c0b-6e020557d7bd")).toBe("Apple Passwords");
    expect(authenticatorName("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")).toBe("Google Password Manager");
    expect(authenticatorName("08987058-cadc-4b81-b6e1-30de50dcbe96")).toBe("Windows Hello");
    expect(authenticatorName("bada5566-a7aa-401f-bd96-45619a55120d")).toBe("1Password");
    expect(authenticatorName("d548826e-79b4-db40-a3d8-11116f7e8349")).toBe("Bitwarden");
    expect(authenticatorName("ee882879-721c-4913-9775-3dfcce97072a")).toBe("YubiKey 5");
    expect(authenticatorName("00000000-0000-0000-0000-000000000000")).toBeNull();
  });

  it("calls an unknown one a security key only when it is device-bound and roams", () => {
    expect(credentialKind({ backupEligible: false, transports: ["usb", "nfc"] })).toBe("security_key");
    expect(credentialKind({ backupEligible: true, transports: ["usb"] })).toBe("passkey");
    expect(credentialKind({ backupEligible: false, transports: ["internal"] })).toBe("passkey");
    expect(credentialKind({ backupEligible: false, transports: [] })).toBe("passkey");
  });
});
