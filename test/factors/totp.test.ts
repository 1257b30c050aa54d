import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Secret, TOTP } from "otpauth";
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
  it.each(vectors)("at T=%i with %s accepts %s for its own time step", async (time, algorithm, code) => {
    const secret = Secret.fromLatin1(seeds[algorithm]).base32;
    const step = await matchTotpStep(secret, code, settings({ digits: 8, algorithm, skewSteps: 0 }), time * 1000);
    expect(step).toBe(Math.floor(time / 30));
  });
});

describe("the same codes as an independent implementation (otpauth)", () => {
  const algorithms = ["SHA1", "SHA256", "SHA512"] as const;

  it("matches every code otpauth makes to its step, whatever the secret, algorithm, digits, period and skew", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 10, maxLength: 64 }),
        fc.constantFrom(...algorithms),
        fc.constantFrom(6 as const, 8 as const),
        fc.integer({ min: 15, max: 120 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: -2, max: 2 }),
        fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }),
        async (bytes, algorithm, digits, periodSeconds, skewSteps, offset, now) => {
          const secret = new Secret({ buffer: bytes.slice().buffer }).base32;
          const codeAt = (ms: number) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm, digits, period: periodSeconds, timestamp: ms });
          const code = codeAt(now + offset * periodSeconds * 1000);
          const step = Math.floor(now / 1000 / periodSeconds);
          const matched = await matchTotpStep(secret, code, settings({ algorithm, digits, periodSeconds, skewSteps }), now);
          if (Math.abs(offset) <= skewSteps) expect(matched).not.toBeNull();
          // A step within the skew whose code this is: the code's own (or, 1 time in 10^digits, another's that is equal).
          if (matched !== null) {
            expect(Math.abs(matched - step)).toBeLessThanOrEqual(skewSteps);
            expect(codeAt(matched * periodSeconds * 1000)).toBe(code);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes secrets otpauth reads back, and reads them in any case, spaced or padded", async () => {
    const secret = newTotpSecret();
    expect(Secret.fromBase32(secret).base32).toBe(secret);
    const now = 1_800_000_000_000;
    const code = totpCode(secret, now);
    const spaced = `${secret.toLowerCase().replace(/(.{4})/g, "$1 ")}====`;
    expect(await matchTotpStep(spaced, code, settings({ skewSteps: 0 }), now)).toBe(Math.floor(now / 30_000));
  });

  it("writes the key URI otpauth writes, which apps already scan", () => {
    const secret = newTotpSecret();
    for (const [issuer, label] of [
      ["Acme <Brokers>", "pat@acme.test"],
      ["Demo", "ü ser/1?&="],
    ] as const) {
      const ours = totpUri(secret, settings({ digits: 8, algorithm: "SHA512", periodSeconds: 45 }), issuer, label);
      const theirs = new TOTP({ issuer, label, secret: Secret.fromBase32(secret), algorithm: "SHA512", digits: 8, period: 45 }).toString();
      expect(ours).toBe(theirs);
    }
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

  it("accepts the codes one step either side with skew 1, and no further", async () => {
    expect(await matchTotpStep(secret, totpCode(secret, now - 30_000), settings(), now)).toBe(step - 1);
    expect(await matchTotpStep(secret, totpCode(secret, now + 30_000), settings(), now)).toBe(step + 1);
    expect(await matchTotpStep(secret, totpCode(secret, now - 60_000), settings(), now)).toBeNull();
    expect(await matchTotpStep(secret, totpCode(secret, now + 60_000), settings(), now)).toBeNull();
  });

  it("accepts only the current step with skew 0", async () => {
    expect(await matchTotpStep(secret, totpCode(secret, now), settings({ skewSteps: 0 }), now)).toBe(step);
    expect(await matchTotpStep(secret, totpCode(secret, now - 30_000), settings({ skewSteps: 0 }), now)).toBeNull();
  });

  it("treats the last millisecond of a step as that step", async () => {
    const edge = (step + 1) * 30_000 - 1;
    expect(await matchTotpStep(secret, totpCode(secret, edge), settings({ skewSteps: 0 }), edge)).toBe(step);
  });

  it.each(["", "12345", "1234567", "12a456", "１２３４５６"])("refuses the malformed code %j", async (code) => {
    expect(await matchTotpStep(secret, code, settings(), now)).toBeNull();
  });

  it("ignores spaces the user typed", async () => {
    const code = totpCode(secret, now);
    expect(await matchTotpStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, settings(), now)).toBe(step);
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
