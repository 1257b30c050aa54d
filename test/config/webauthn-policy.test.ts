import { describe, expect, it } from "vitest";
import { PolicySchema } from "../../src/config/policy-schema";

const withWebAuthn = (webauthn: unknown) =>
  PolicySchema.safeParse({ origin: "https://portal.example", identity: { algorithm: "HS256", secretRef: "TENANT_X", cookie: "s" }, factors: { webauthn } });

describe("the passkey settings of a policy", () => {
  it("takes a registrable parent domain as the relying party ID", () => {
    const parsed = withWebAuthn({ enabled: true, rpId: "acme.com", userVerification: "preferred", algorithms: ["EdDSA", "ES256"] });
    expect(parsed.success).toBe(true);
    expect(parsed.data?.factors.webauthn).toMatchObject({ rpId: "acme.com", userVerification: "preferred", algorithms: ["EdDSA", "ES256"] });
  });

  it("refuses a public suffix, an IP address or a URL as the relying party ID", () => {
    for (const rpId of ["com", "co.uk", "workers.dev", "10.0.0.1", "https://acme.com", "Acme.com"]) {
      const parsed = withWebAuthn({ rpId });
      expect(parsed.success, rpId).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(["factors", "webauthn", "rpId"]);
    }
  });

  it("refuses attestation it would not verify, unknown algorithms, and an empty or repeated list", () => {
    expect(withWebAuthn({ attestation: "direct" }).success).toBe(false);
    expect(withWebAuthn({ algorithms: ["PS256"] }).success).toBe(false);
    expect(withWebAuthn({ algorithms: [] }).success).toBe(false);
    expect(withWebAuthn({ algorithms: ["ES256", "ES256"] }).success).toBe(false);
    expect(withWebAuthn({ authenticatorAttachment: "usb" }).success).toBe(false);
  });
});
