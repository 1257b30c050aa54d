import { describe, expect, it } from "vitest";
import { Secret } from "otpauth";
import { matchTotpStep, newTotpSecret, totpQrSvg, totpUri, type TotpSettings } from "../../src/factors/totp";
import { totpCode } from "../support/totp";

const settings = (overrides: Partial<TotpSettings> = {}): TotpSettings => ({ digits: 6, periodSeconds: 30, algorithm: "SHA1", skewSteps: 1, ...overrides });

describe("RFC 6238 Appendix B test vectors", () => {
  const seeds = {
    SHA1: "12345678901234567890",
    SHA256: "12345678901234567890123456789012",
    SHA512: "1234567890123456789012345678901234567890123456789012345678901234",
  } as const;
  const vectors: Array<[number, keyof typeof seeds, string]> = [
    [59, "SHA1", "94287082"],
    [59, "SHA256", "46119246"],
    [59, "SHA512", "90693936"],
    [1111111109, "SHA1", "07081804"],
    [1111111109, "SHA256", "68084774"],
    [1111111109, "SHA512", "25091201"],
    [1111111111, "SHA1", "14050471"],
    [1111111111, "SHA256", "67062674"],
    [1111111111, "SHA512", "99943326"],
    [1234567890, "SHA1", "89005924"],
    [1234567890, "SHA256", "91819424"],
    [1234567890, "SHA512", "93441116"],
    [2000000000, "SHA1", "69279037"],
    [2000000000, "SHA256", "90698825"],
    [2000000000, "SHA512", "38618901"],
    [20000000000, "SHA1", "65353130"],
    [20000000000, "SHA256", "77737706"],
    [20000000000, "SHA512", "47863826"],
  ];
  it.each(vectors)("at T=%i with %s accepts %s for its own time step", (time, algorithm, code) => {
    const secret = Secret.fromLatin1(seeds[algorithm]).base32;
    const step = matchTotpStep(secret, code, settings({ digits: 8, algorithm, skewSteps: 0 }), time * 1000);
    expect(step).toBe(Math.floor(time / 30));
  });
});

describe("matching a code to its time step", () => {
  const secret = newTotpSecret();
  const now = 1_800_000_000_000;
  const step = Math.floor(now / 30_000);

  it("makes 160-bit secrets", () => {
    expect(Secret.fromBase32(secret).bytes.length).toBe(20);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it("accepts the codes one step either side with skew 1, and no further", () => {
    expect(matchTotpStep(secret, totpCode(secret, now - 30_000), settings(), now)).toBe(step - 1);
    expect(matchTotpStep(secret, totpCode(secret, now + 30_000), settings(), now)).toBe(step + 1);
    expect(matchTotpStep(secret, totpCode(secret, now - 60_000), settings(), now)).toBeNull();
    expect(matchTotpStep(secret, totpCode(secret, now + 60_000), settings(), now)).toBeNull();
  });

  it("accepts only the current step with skew 0", () => {
    expect(matchTotpStep(secret, totpCode(secret, now), settings({ skewSteps: 0 }), now)).toBe(step);
    expect(matchTotpStep(secret, totpCode(secret, now - 30_000), settings({ skewSteps: 0 }), now)).toBeNull();
  });

  it("treats the last millisecond of a step as that step", () => {
    const edge = (step + 1) * 30_000 - 1;
    expect(matchTotpStep(secret, totpCode(secret, edge), settings({ skewSteps: 0 }), edge)).toBe(step);
  });

  it.each(["", "12345", "1234567", "12a456", "１２３４５６"])("refuses the malformed code %j", (code) => {
    expect(matchTotpStep(secret, code, settings(), now)).toBeNull();
  });

  it("ignores spaces the user typed", () => {
    const code = totpCode(secret, now);
    expect(matchTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, settings(), now)).toBe(step);
  });
});

describe("the key URI and QR code", () => {
  it("follows the Google Authenticator key URI format", () => {
    const secret = newTotpSecret();
    const uri = new URL(totpUri(secret, settings({ digits: 8, algorithm: "SHA256", periodSeconds: 60 }), "Demo Brokerage", "alice@demo.test"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Demo Brokerage:alice@demo.test");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Demo Brokerage");
    expect(uri.searchParams.get("algorithm")).toBe("SHA256");
    expect(uri.searchParams.get("digits")).toBe("8");
    expect(uri.searchParams.get("period")).toBe("60");
  });

  it("renders the URI as an SVG QR code", () => {
    const svg = totpQrSvg("otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&issuer=X");
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.length).toBeGreaterThan(500);
  });
});
