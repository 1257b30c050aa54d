/**
 * Secret names, property-based (fast-check): over generated tenant-id pairs — one a prefix of
 * the other, `-` against `_`, upper against lower case, any characters — and every purpose, a
 * name belongs to exactly one (tenant, purpose), each slot of a policy accepts exactly the names
 * its rule allows, and no name is ever one of stepgate's own secrets.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isIdentitySecretRef, misnamedSecretRefs } from "../../src/config/credentials";
import { SecretRef } from "../../src/config/policy-schema";
import { ownerOfSecretName, SECRET_PURPOSES, secretName, type SecretPurpose } from "../../src/config/secret-names";

const RUNS = 500;
const PURPOSES = Object.keys(SECRET_PURPOSES) as SecretPurpose[];
const STEPGATE_SECRETS = ["STEPGATE_ADMIN_KEY", "STEPGATE_SECRET_KEYS", "STEPGATE_ENV"];

/** Ids from the characters that collide under loose encodings, and from anything at all. */
const anId = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", "z", "0", "9", "-", "_", "A", "B", ".", " "), maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  fc.string({ unit: "binary", maxLength: 8 }),
);

/** A pair of ids made to look alike: a prefix and its extension, `-`/`_` swapped, case changed. */
const aLookAlikePair = fc.oneof(
  fc.tuple(anId, anId),
  fc.tuple(anId, anId).map(([a, tail]) => [a, `${a}${tail}`] as const),
  fc.tuple(anId, anId).map(([a, tail]) => [a, `${a}-${tail}`] as const),
  anId.map((a) => [a, a.replaceAll("-", "_")] as const),
  anId.map((a) => [a, a.replaceAll("_", "-")] as const),
  anId.map((a) => [a, a.toUpperCase()] as const),
  anId.map((a) => [a, a.replace(/[a-z]/, (c) => c.toUpperCase())] as const),
);
const aPurpose = fc.constantFrom(...PURPOSES);

/** A policy with `ref` in the slot for `purpose`. */
function policyWithRef(purpose: SecretPurpose, ref: string): unknown {
  switch (purpose) {
    case "identity":
      return { identity: { algorithm: "HS256", secretRef: ref } };
    case "twilioAuthToken":
      return { factors: { sms: { twilio: { authToken: { ref } } } } };
    case "smtpPassword":
      return { factors: { email: { password: { ref } } } };
    case "resendApiKey":
      return { factors: { email: { apiKey: { ref } } } };
  }
}

describe("secret names", () => {
  it(`give two (tenant, purpose) pairs the same name only when they are the same pair (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(aLookAlikePair, aPurpose, aPurpose, ([a, b], p, q) => {
        expect(secretName(a, p) === secretName(b, q)).toBe(a === b && p === q);
      }),
      { numRuns: RUNS },
    );
  });

  it(`name their tenant and purpose back, and no other purpose (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(anId, aPurpose, aPurpose, (id, p, q) => {
        const name = secretName(id, p);
        expect(ownerOfSecretName(name, q)).toBe(p === q ? id : null);
        expect(SecretRef.safeParse(name).success).toBe(true);
        expect(STEPGATE_SECRETS).not.toContain(name);
      }),
      { numRuns: RUNS },
    );
  });

  it(`let each slot of a policy take only its own name: a provider slot this tenant's, the identity slot an identity secret (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(aLookAlikePair, aPurpose, aPurpose, ([tenant, owner], slot, purpose) => {
        const ref = secretName(owner, purpose);
        const accepted = misnamedSecretRefs(tenant, policyWithRef(slot, ref)).length === 0;
        expect(accepted).toBe(slot === "identity" ? purpose === "identity" : tenant === owner && slot === purpose);
      }),
      { numRuns: RUNS },
    );
  });

  it("keep the demo's name and read ids as the review's examples", () => {
    expect(secretName("demo", "identity")).toBe("TENANT_DEMO_JWT_SECRET");
    expect(secretName("acme-eu", "twilioAuthToken")).toBe("TENANT_ACME_EU_TWILIO_TOKEN");
    expect(secretName("acme_eu", "twilioAuthToken")).not.toBe(secretName("acme-eu", "twilioAuthToken"));
    // `demo` may not name `demo-eu`'s secrets, nor use its session key as a provider token.
    expect(misnamedSecretRefs("demo", policyWithRef("twilioAuthToken", "TENANT_DEMO_EU_TWILIO_TOKEN"))).toHaveLength(1);
    expect(misnamedSecretRefs("demo", policyWithRef("twilioAuthToken", "TENANT_DEMO_JWT_SECRET"))).toEqual([
      { pointer: "#/factors/sms/twilio/authToken/ref", detail: expect.stringContaining("TENANT_DEMO_TWILIO_TOKEN") },
    ]);
    expect(isIdentitySecretRef("TENANT_DEMO_TWILIO_TOKEN")).toBe(false);
    expect(isIdentitySecretRef("TENANT_JWT_SECRET")).toBe(false);
  });
});
