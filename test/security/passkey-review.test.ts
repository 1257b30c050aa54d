/**
 * An outside review of passkeys (WebAuthn), as an attacker would try them: malformed and
 * hostile objects from the software authenticator against the checks in `webauthn.ts`, the
 * user's object and the user API. Each test names what it tries; a test that documents an
 * accepted oddity says why it is harmless.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type KnownCredential, verifyAssertion, verifyRegistration } from "../../src/factors/webauthn";
import { bindingChallenge } from "../../src/factors/webauthn-challenge";
import { base64url, fromBase64url } from "../../src/lib/encoding";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import {
  aChallenge,
  anEnrolledUser,
  answer,
  confirm,
  enrol,
  enrollPasskeyViaApi,
  PAGE_ORIGIN,
  passkeyOptions,
  RP_ID as DO_RP_ID,
  requestChallenge,
  verifyWithPasskey,
} from "../support/passkeys";
import { type Algorithm, cbor, concat, FLAGS, SoftwareCredential, type Tamper } from "../support/software-authenticator";
import { challengeFor, enrollTotpViaApi, postJson, sessionHeaders } from "../support/step-up";

const ORIGIN = "https://portal.acme.test";
const RP_ID = "acme.test";
const ALL: Algorithm[] = ["ES256", "EdDSA", "RS256"];
const aRandomChallenge = () => crypto.getRandomValues(new Uint8Array(32));

type Expected = { challenge: Uint8Array; origin: string; rpId: string; userVerification: "required" | "preferred" | "discouraged" };
const expected = (challenge: Uint8Array, changes: Partial<Expected> = {}): Expected => ({
  challenge,
  origin: ORIGIN,
  rpId: RP_ID,
  userVerification: "required",
  ...changes,
});

/** Registers `authenticator` (with `tamper`) and returns the verdict. */
async function register(authenticator: SoftwareCredential, tamper?: Tamper, algorithms: Algorithm[] = ALL) {
  const challenge = aRandomChallenge();
  const response = await authenticator.register({ challenge, origin: ORIGIN, rpId: RP_ID, tamper });
  return verifyRegistration(response, { ...expected(challenge), algorithms });
}

async function enrolled(authenticator: SoftwareCredential, tamper?: Tamper): Promise<KnownCredential> {
  const verdict = await register(authenticator, tamper);
  if (!verdict.ok) throw new Error(`registration refused: ${verdict.reason}`);
  return verdict.credential;
}

/** Asserts with `authenticator` (with `tamper`) and checks it against `credential`. */
async function assertWith(authenticator: SoftwareCredential, credential: KnownCredential, tamper?: Tamper, ceremony: Partial<Expected> = {}) {
  const challenge = aRandomChallenge();
  const response = await authenticator.assert({ challenge, origin: ceremony.origin ?? ORIGIN, rpId: ceremony.rpId ?? RP_ID, tamper });
  return verifyAssertion(response, { ...expected(challenge), credential });
}

describe("origin and relying party", () => {
  it("refuses every spelling of the page's origin but its own: port, scheme, case, trailing slash, a cross-origin or embedded ceremony", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    for (const origin of [
      "https://portal.acme.test:443",
      "https://portal.acme.test:8443",
      "http://portal.acme.test",
      "https://PORTAL.acme.test",
      "https://portal.acme.test/",
    ]) {
      expect(await assertWith(passkey, credential, undefined, { origin }), origin).toEqual({ ok: false, reason: "wrong_origin" });
    }
    const framed = await assertWith(passkey, credential, {
      clientDataJSON: (json) => json.replace('"crossOrigin":false', '"crossOrigin":true,"topOrigin":"https://evil.test"'),
    });
    expect(framed).toEqual({ ok: false, reason: "wrong_origin" });
    // crossOrigin as a string, not a boolean: the parser refuses it.
    const stringly = await assertWith(passkey, credential, { clientDataJSON: (json) => json.replace('"crossOrigin":false', '"crossOrigin":"false"') });
    expect(stringly).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses an RP ID hash of another spelling: uppercase, trailing dot, the parent suffix, a sibling domain", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    for (const rpId of ["ACME.TEST", "acme.test.", "test", "other.acme.test", "portal.acme.test"]) {
      expect(await assertWith(passkey, credential, undefined, { rpId }), rpId).toEqual({ ok: false, reason: "wrong_rp" });
    }
  });
});

describe("client data JSON", () => {
  it("refuses type variants (case, padding, the other ceremony) as malformed or the wrong type", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    for (const type of ["WebAuthn.get", "webauthn.get ", "webauthn.GET", "payment.get"]) {
      const verdict = await assertWith(passkey, credential, { clientDataJSON: (json) => json.replace('"webauthn.get"', JSON.stringify(type)) });
      expect(verdict, type).toEqual({ ok: false, reason: "malformed" });
    }
    const create = await assertWith(passkey, credential, { clientDataJSON: (json) => json.replace('"webauthn.get"', '"webauthn.create"') });
    expect(create).toEqual({ ok: false, reason: "wrong_type" });
  });

  it("reads a repeated key as its last value (JSON.parse); harmless, as only the key's holder can sign such client data", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    const challenge = aRandomChallenge();
    const other = base64url(aRandomChallenge());
    const sign = (clientDataJSON: (json: string) => string) =>
      passkey
        .assert({ challenge, origin: ORIGIN, rpId: RP_ID, tamper: { clientDataJSON } })
        .then((r) => verifyAssertion(r, { ...expected(challenge), credential }));
    // The wrong challenge first, the right one last: the last is read.
    expect(await sign((json) => json.replace('{"type"', `{"challenge":"${other}","type"`))).toMatchObject({ ok: true });
    // The right one first, the wrong one last: refused.
    expect(await sign((json) => json.replace(/}$/, `,"challenge":"${other}"}`))).toEqual({ ok: false, reason: "wrong_challenge" });
    // A BOM and whitespace are accepted (TextDecoder drops the BOM; JSON allows the spaces).
    expect(await sign((json) => `\uFEFF ${json.replaceAll(",", " ,\n ")} `)).toMatchObject({ ok: true });
  });
});

describe("authenticator data flags", () => {
  it("refuses a missing presence, and a missing verification when required", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    expect(await assertWith(passkey, credential, { flags: (f) => f & ~FLAGS.UP })).toEqual({ ok: false, reason: "user_presence_missing" });
    expect(await assertWith(passkey, credential, { flags: (f) => f & ~FLAGS.UV })).toEqual({ ok: false, reason: "user_verification_missing" });
    expect((await register(passkey, { flags: (f) => f & ~FLAGS.UP })).ok).toBe(false);
  });

  it("refuses a credential that says it is backed up but may not be (BS set, BE clear) — WebAuthn §7.1 step 17", async () => {
    const verdict = await register(await SoftwareCredential.create("ES256"), { flags: (f) => (f & ~FLAGS.BE) | FLAGS.BS });
    expect(verdict).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses an assertion whose backup eligibility differs from the one registered — WebAuthn §7.2 steps 16, 20", async () => {
    const deviceBound = await SoftwareCredential.create("ES256");
    const credential = { ...(await enrolled(deviceBound)), backupEligible: false };
    expect(await assertWith(deviceBound, credential, { flags: (f) => f | FLAGS.BE | FLAGS.BS })).toMatchObject({ ok: false });
    expect(await assertWith(deviceBound, credential, { flags: (f) => (f & ~FLAGS.BE) | FLAGS.BS })).toMatchObject({ ok: false });
  });

  it("ignores an AT flag or extension bytes on an assertion: they are signed, so only the key's holder can add them", async () => {
    const passkey = await SoftwareCredential.create("EdDSA");
    const credential = await enrolled(passkey);
    const withExtensions = await assertWith(passkey, credential, { flags: (f) => f | FLAGS.ED, authDataTail: cbor(new Map([["x", 1]])) });
    expect(withExtensions).toMatchObject({ ok: true });
    const garbageTail = await assertWith(passkey, credential, { authDataTail: new Uint8Array(100) });
    expect(garbageTail).toMatchObject({ ok: true });
  });
});

describe("signature counter", () => {
  it("refuses a wrap-around to 0 and 0 after a non-zero counter; accepts 0 after 0", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    expect(await assertWith(passkey, { ...credential, counter: 0xffff_ffff }, { counter: 0 })).toEqual({ ok: false, reason: "counter_regressed" });
    expect(await assertWith(passkey, { ...credential, counter: 5 }, { counter: 0 })).toEqual({ ok: false, reason: "counter_regressed" });
    expect(await assertWith(passkey, { ...credential, counter: 5 }, { counter: 5 })).toEqual({ ok: false, reason: "counter_regressed" });
    expect(await assertWith(passkey, { ...credential, counter: 0 }, { counter: 0 })).toMatchObject({ ok: true, newCounter: 0 });
    expect(await assertWith(passkey, { ...credential, counter: 0xffff_fffe }, { counter: 0xffff_ffff })).toMatchObject({ ok: true, newCounter: 0xffff_ffff });
  });

  it("reads a counter of 2^31 or more as the unsigned number it is, so a clone's 0 after it is refused", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey, { counter: 0x8000_0001 });
    expect(credential.counter).toBe(0x8000_0001);
    expect(await assertWith(passkey, credential, { counter: 0 })).toEqual({ ok: false, reason: "counter_regressed" });
    expect(await assertWith(passkey, credential, { counter: 0x7fff_ffff })).toEqual({ ok: false, reason: "counter_regressed" });
    expect(await assertWith(passkey, { ...credential, counter: 0x7fff_ffff }, { counter: 0x8000_0000 })).toMatchObject({ ok: true, newCounter: 0x8000_0000 });
  });
});

describe("ES256 signature encodings", () => {
  /** DER → [r, s] as unsigned big-endian bytes without leading zeros. */
  const derParts = (der: Uint8Array): [Uint8Array, Uint8Array] => {
    const rLength = der[3]!;
    const r = der.subarray(4, 4 + rLength);
    const s = der.subarray(6 + rLength, 6 + rLength + der[5 + rLength]!);
    const strip = (x: Uint8Array) => (x[0] === 0 ? x.subarray(1) : x);
    return [strip(r), strip(s)];
  };
  const derOf = (r: Uint8Array, s: Uint8Array, pad = 0) => {
    const integer = (x: Uint8Array) => {
      const value = concat(new Uint8Array(pad + (x[0]! & 0x80 ? 1 : 0)), x);
      return concat(new Uint8Array([0x02, value.length]), value);
    };
    const body = concat(integer(r), integer(s));
    return concat(new Uint8Array([0x30, body.length]), body);
  };
  const ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const bytesOf = (n: bigint) => Uint8Array.from(n.toString(16).padStart(64, "0").match(/../g)!, (h) => Number.parseInt(h, 16));
  const bigOf = (b: Uint8Array) => BigInt(`0x${[...b].map((x) => x.toString(16).padStart(2, "0")).join("") || "0"}`);

  it("refuses a raw r‖s signature and a truncated DER one", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    const raw = await assertWith(passkey, credential, {
      signature: (der) => {
        const [r, s] = derParts(der);
        return concat(bytesOf(bigOf(r)), bytesOf(bigOf(s)));
      },
    });
    expect(raw).toEqual({ ok: false, reason: "bad_signature" });
    expect(await assertWith(passkey, credential, { signature: (der) => der.subarray(0, der.length - 1) })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("accepts a non-minimal DER (padded integers) and a high-S signature: malleable, harmless because each challenge is answered once", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const credential = await enrolled(passkey);
    const padded = await assertWith(passkey, credential, { signature: (der) => derOf(...derParts(der), 2) });
    expect(padded).toMatchObject({ ok: true });
    const highS = await assertWith(passkey, credential, {
      signature: (der) => {
        const [r, s] = derParts(der);
        return derOf(r, bytesOf(ORDER - bigOf(s)));
      },
    });
    expect(highS).toMatchObject({ ok: true });
  });
});

describe("attestation object and COSE key", () => {
  const noneObject = (authData: Uint8Array) =>
    cbor(
      new Map<unknown, unknown>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );

  it("refuses duplicate map keys, trailing bytes, a length past the end and a missing authData; accepts an indefinite-length map", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const duplicate = (authData: Uint8Array) => {
      const honest = noneObject(authData);
      // Map of 3 → map of 4 with authData twice (the second an empty byte string).
      return concat(new Uint8Array([0xa4]), honest.subarray(1), cbor("authData"), cbor(new Uint8Array()));
    };
    expect(await register(passkey, { attestationObject: duplicate })).toEqual({ ok: false, reason: "malformed" });
    expect(await register(passkey, { attestationObject: (a) => concat(noneObject(a), new Uint8Array([0])) })).toEqual({ ok: false, reason: "malformed" });
    const tooLong = (authData: Uint8Array) =>
      concat(new Uint8Array([0xa1]), cbor("authData"), new Uint8Array([0x59, (authData.length + 10) >> 8, (authData.length + 10) & 0xff]), authData);
    const huge = (authData: Uint8Array) =>
      concat(new Uint8Array([0xa1]), cbor("authData"), new Uint8Array([0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), authData);
    expect(await register(passkey, { attestationObject: huge })).toEqual({ ok: false, reason: "malformed" });
    expect(await register(passkey, { attestationObject: tooLong })).toEqual({ ok: false, reason: "malformed" });
    const indefinite = (authData: Uint8Array) => concat(new Uint8Array([0xbf]), cbor("authData"), cbor(authData), new Uint8Array([0xff]));
    expect(await register(passkey, { attestationObject: indefinite })).toMatchObject({ ok: true });
  });

  it("refuses a COSE key on the wrong curve, of the wrong type for its alg, or of the wrong length", async () => {
    const passkey = await SoftwareCredential.create("ES256");
    const x = crypto.getRandomValues(new Uint8Array(32));
    const keys: Array<[string, Map<unknown, unknown>]> = [
      [
        "ES256 on P-384",
        new Map<unknown, unknown>([
          [1, 2],
          [3, -7],
          [-1, 2],
          [-2, x],
          [-3, x],
        ]),
      ],
      [
        "ES256 alg on an OKP key",
        new Map<unknown, unknown>([
          [1, 1],
          [3, -7],
          [-1, 6],
          [-2, x],
        ]),
      ],
      [
        "EdDSA with a 31-byte key",
        new Map<unknown, unknown>([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, x.subarray(1)],
        ]),
      ],
      [
        "EdDSA on X25519",
        new Map<unknown, unknown>([
          [1, 1],
          [3, -8],
          [-1, 4],
          [-2, x],
        ]),
      ],
      [
        "ES256 point not on the curve",
        new Map<unknown, unknown>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, x],
          [-3, x],
        ]),
      ],
      [
        "no alg",
        new Map<unknown, unknown>([
          [1, 2],
          [-1, 1],
          [-2, x],
          [-3, x],
        ]),
      ],
      [
        "ES384",
        new Map<unknown, unknown>([
          [1, 2],
          [3, -35],
          [-1, 2],
          [-2, x],
          [-3, x],
        ]),
      ],
    ];
    for (const [what, key] of keys) {
      const verdict = await register(passkey, { coseKey: cbor(key) });
      expect(verdict.ok, what).toBe(false);
    }
    // An algorithm the policy does not list, though the key is sound.
    expect(await register(await SoftwareCredential.create("EdDSA"), undefined, ["ES256"])).toEqual({ ok: false, reason: "unknown_algorithm" });
  });

  it("refuses every Ed25519 public key of small order, under which signatures are forged without any private key", async () => {
    // The identity point (y = 1): [S]B = R + [k]A holds for R = identity, S = 0 and every k.
    const identity = concat(new Uint8Array([1]), new Uint8Array(31));
    const okp = (x: Uint8Array) =>
      cbor(
        new Map<unknown, unknown>([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, x],
        ]),
      );
    const authenticator = await SoftwareCredential.create("EdDSA");
    const verdict = await register(authenticator, { coseKey: okp(identity) });
    if (verdict.ok) {
      // Registered: then anyone can answer for it with R = identity, S = 0, whatever was signed.
      const forged = await assertWith(authenticator, verdict.credential, { signature: () => concat(identity, new Uint8Array(32)) });
      expect(forged, "a forged signature verifies under the registered key").toMatchObject({ ok: false });
    }
    expect(verdict).toEqual({ ok: false, reason: "unknown_algorithm" });
    // A key stored before enrolment refused them answers nothing either.
    const stored = {
      credentialId: authenticator.credentialId,
      counter: 0,
      backupEligible: false,
      publicKey: { algorithm: "EdDSA" as const, jwk: { kty: "OKP", crv: "Ed25519", x: base64url(identity) } },
    };
    const forgedOnStored = await assertWith(authenticator, stored, { signature: () => concat(identity, new Uint8Array(32)) });
    expect(forgedOnStored).toEqual({ ok: false, reason: "bad_signature" });
    // Every encoding of a point of order 1, 2, 4 or 8 (libsodium's list), with either sign bit:
    // for each, workerd's Ed25519 verifies R = identity (or A), S = 0 for 1 message in 8 or more.
    const ff = "ff".repeat(30);
    const smallOrder = ["00".repeat(32), `01${"00".repeat(31)}`, "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"]
      .concat(["c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", `ec${ff}7f`, `ed${ff}7f`, `ee${ff}7f`])
      .map((hex) => Uint8Array.from(hex.match(/../g)!, (pair) => Number.parseInt(pair, 16)));
    for (const point of smallOrder) {
      for (const sign of [0, 0x80]) {
        const x = point.slice();
        x[31] = (x[31]! & 0x7f) | sign;
        expect(await register(authenticator, { coseKey: okp(x) }), base64url(x)).toMatchObject({ ok: false });
      }
    }
  });

  it("refuses an RSA key with public exponent 1 (every PKCS#1 encoding is its own signature) or a short modulus", async () => {
    const authenticator = await SoftwareCredential.create("RS256");
    const genuine = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", genuine.publicKey)) as JsonWebKey;
    const n = fromBase64url(jwk.n!);
    const exponentOne = cbor(
      new Map<unknown, unknown>([
        [1, 3],
        [3, -257],
        [-1, n],
        [-2, new Uint8Array([0, 0, 1])],
      ]),
    );
    const verdict = await register(authenticator, { coseKey: exponentOne });
    if (verdict.ok) {
      const forged = await assertWith(authenticator, verdict.credential, {
        signature: async (_honest, message) => {
          // EMSA-PKCS1-v1_5(SHA-256(message)), which is its own signature when e = 1.
          const info = Uint8Array.from([0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]);
          const t = concat(info, new Uint8Array(await crypto.subtle.digest("SHA-256", message)));
          return concat(new Uint8Array([0, 1]), new Uint8Array(256 - t.length - 3).fill(0xff), new Uint8Array([0]), t);
        },
      });
      expect(forged, "a forged signature verifies under the registered key").toMatchObject({ ok: false });
    }
    expect(verdict).toMatchObject({ ok: false });
    // A 512-bit modulus, sent as the 256 bytes COSE asks for, left-padded with zeros.
    const short = concat(new Uint8Array(192), n.subarray(0, 64));
    short[192]! |= 0x80;
    short[255]! |= 1;
    const shortKey = cbor(
      new Map<unknown, unknown>([
        [1, 3],
        [3, -257],
        [-1, short],
        [-2, new Uint8Array([1, 0, 1])],
      ]),
    );
    expect(await register(authenticator, { coseKey: shortKey })).toMatchObject({ ok: false });
  });
});

describe("the bound challenge", () => {
  it("is unambiguous: no id/digest split of the same characters gives the same challenge, and no digest equals none", async () => {
    const id = "q3Zp0J7x2mB1cX9vKkQ4Ww";
    const a = await bindingChallenge(id, "ab");
    const b = await bindingChallenge(`${id}a`, "b");
    expect(a).not.toEqual(b);
    expect(await bindingChallenge(id, null)).not.toEqual(await bindingChallenge(id, "00"));
    expect(await bindingChallenge(id, null)).toEqual(await bindingChallenge(id, ""));
  });
});

describe("in the user's object", () => {
  it("takes a userHandle naming nobody: not signed, and the credential is looked up in this user's object only", async () => {
    const { user, passkey } = await anEnrolledUser();
    const challengeId = await aChallenge(user, "s1");
    const challenge = await requestChallenge(user, challengeId, "s1");
    const response = await passkey.assert({ challenge, origin: PAGE_ORIGIN, rpId: DO_RP_ID, tamper: { userHandle: base64url(new Uint8Array(32).fill(7)) } });
    expect(await answer(user, challengeId, "s1", response)).toMatchObject({ ok: true });
  });

  it("refuses a registration challenge once its enrolment has expired", async () => {
    const user = userState(env, (await aTenant(aPolicy({ factors: { webauthn: { enabled: true } } }))).tenantId, "late");
    const started = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!started.ok) throw new Error(started.error);
    await runInDurableObject(user, async (_o, state) => {
      state.storage.sql.exec("UPDATE factors SET created_at = created_at - 15 * 60000 - 1 WHERE id = ?", started.enrollmentId);
    });
    const passkey = await SoftwareCredential.create("ES256");
    const response = await passkey.register({ challenge: started.challenge, origin: PAGE_ORIGIN, rpId: DO_RP_ID });
    expect(await confirm(user, "s0", started.enrollmentId, response)).toEqual({ ok: false, error: "enrollment_not_found" });
  });

  it("stores only plain-text names, whoever calls it: a bidi override given to the object is not kept", async () => {
    const user = userState(env, (await aTenant(aPolicy({ factors: { webauthn: { enabled: true } } }))).tenantId, "named");
    const started = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!started.ok) throw new Error(started.error);
    const passkey = await SoftwareCredential.create("ES256");
    const response = await passkey.register({ challenge: started.challenge, origin: PAGE_ORIGIN, rpId: DO_RP_ID });
    const outcome = await user.confirmWebAuthnEnrollment({
      enrollmentId: started.enrollmentId,
      response,
      ceremony: { origin: PAGE_ORIGIN, rpId: DO_RP_ID },
      settings: { userVerification: "required", algorithms: ["ES256"] },
      name: "Phone\u202Egnp.exe\n",
      sessionId: "s0",
      challengeId: null,
      backupCodeCount: 10,
      origin: { ip: null, userAgent: null, city: null, country: null },
    });
    expect(outcome.ok).toBe(true);
    const stored = await runInDurableObject(user, async (_o, state) => state.storage.sql.exec<{ name: string | null }>("SELECT name FROM factors").one().name);
    expect(stored ?? "").not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(await user.renamePasskey(outcome.ok ? outcome.factorId : "", "x\u202Ey", { ip: null, userAgent: null, city: null, country: null })).toBe(false);
  });

  it("lets one user enrol any number of passkeys (each one more allowCredentials entry)", async () => {
    const { user } = await anEnrolledUser();
    for (let i = 0; i < 25; i++) expect((await enrol(user, "s0", await SoftwareCredential.create("EdDSA"))).ok).toBe(true);
    const challengeId = await aChallenge(user, "s0");
    const request = await user.webAuthnRequest(challengeId, "s0");
    expect(request.ok && request.allow.length).toBe(26);
  });
});

const policy = (webauthn: object = { enabled: true }) =>
  aPolicy({ enforcement: "required", factors: { webauthn }, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });
const api = (base: string) => `${base}/__stepgate/api`;

describe("through the user API", () => {
  it("refuses user X's passkey presented by user Y, in the same tenant and in another, and counts it", async () => {
    const { base } = await aTenant(policy());
    const x = await aSession({ sub: "xavier", sid: "sx" });
    const y = await aSession({ sub: "yolanda", sid: "sy" });
    const xs = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, x, xs);
    await enrollPasskeyViaApi(base, y, await SoftwareCredential.create("ES256"));
    const yChallenge = await challengeFor(`${base}/echo/withdraw`, y);
    const refused = await verifyWithPasskey(base, y, yChallenge, xs);
    expect(await refused.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 4 });

    // The same user id in another tenant: another object, which knows none of it.
    const other = await aTenant(policy());
    await enrollPasskeyViaApi(other.base, x, await SoftwareCredential.create("ES256"));
    const there = await challengeFor(`${other.base}/echo/withdraw`, x);
    const options = await passkeyOptions(other.base, x, there);
    const response = await xs.assert({ challenge: fromBase64url(options.challenge), origin: other.base, rpId: options.rpId });
    const crossTenant = await postJson(`${api(other.base)}/challenges/${there}/verify`, x, { factor: "webauthn", response });
    expect(await crossTenant.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 4 });
  });

  it("lets a user register a credential id another user holds (the index is per user) — harmless, as answers are looked up per user", async () => {
    const { base } = await aTenant(policy());
    const victim = await aSession({ sub: "vic", sid: "sv" });
    const thief = await aSession({ sub: "thief", sid: "st" });
    const victimKey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, victim, victimKey);
    // The thief's own key under the victim's credential id (which allowCredentials would show the victim only).
    const clone = await SoftwareCredential.create("ES256");
    Object.assign(clone, { id: victimKey.id });
    await enrollPasskeyViaApi(base, thief, clone);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, victim);
    expect((await verifyWithPasskey(base, victim, challengeId, clone)).status).toBe(400);
    expect((await verifyWithPasskey(base, victim, challengeId, victimKey)).status).toBe(200);
  });

  it("gives request options (and the credential ids in them) only for the session's own challenge", async () => {
    const { base } = await aTenant(policy());
    const owner = await aSession({ sub: "olga", sid: "so" });
    await enrollPasskeyViaApi(base, owner, await SoftwareCredential.create("ES256"));
    const challengeId = await challengeFor(`${base}/echo/withdraw`, owner);
    for (const token of [await aSession({ sub: "olga", sid: "another" }), await aSession({ sub: "peter", sid: "sp" })]) {
      const options = await send(`${api(base)}/challenges/${challengeId}/webauthn`, { headers: sessionHeaders(token) });
      expect([404, 409]).toContain(options.status);
      expect(await options.text()).not.toContain("allowCredentials");
    }
    const rename = await send(`${api(base)}/factors/${challengeId}`, { method: "PATCH", headers: sessionHeaders(owner), body: JSON.stringify({ name: "x" }) });
    expect(rename.status).toBe(404);
  });

  it("renames only the caller's own passkeys", async () => {
    const { base } = await aTenant(policy());
    const owner = await aSession({ sub: "rita", sid: "sr" });
    const { factorId } = await enrollPasskeyViaApi(base, owner, await SoftwareCredential.create("ES256"));
    const other = await aSession({ sub: "sam", sid: "ss" });
    await enrollTotpViaApi(base, other);
    const renamed = await send(`${api(base)}/factors/${factorId}`, { method: "PATCH", headers: sessionHeaders(other), body: JSON.stringify({ name: "mine" }) });
    expect(renamed.status).toBe(404);
  });

  it("does not count a response the API's schema refuses (it could never be right), and counts one it parses but cannot check", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "lou", sid: "sl" });
    const passkey = await SoftwareCredential.create("ES256");
    await enrollPasskeyViaApi(base, token, passkey);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const id = passkey.credentialId;
    const unparsable = { id, rawId: id, type: "public-key", response: { clientDataJSON: "!!", authenticatorData: "x", signature: "x" } };
    const schema = await postJson(`${api(base)}/challenges/${challengeId}/verify`, token, { factor: "webauthn", response: unparsable });
    expect(await schema.json()).toMatchObject({ code: "validation_failed" });
    const garbage = { id, rawId: id, type: "public-key", response: { clientDataJSON: "AAAA", authenticatorData: "AAAA", signature: "AAAA" } };
    const counted = await postJson(`${api(base)}/challenges/${challengeId}/verify`, token, { factor: "webauthn", response: garbage });
    expect(await counted.json()).toMatchObject({ code: "webauthn_refused", attemptsRemaining: 4 });
  });

  it("stops existing passkeys answering once the policy turns passkeys off; the backup codes still work", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "dora", sid: "sd" });
    const passkey = await SoftwareCredential.create("ES256");
    const { backupCodes } = await enrollPasskeyViaApi(base, token, passkey);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    const options = await passkeyOptions(base, token, challengeId);
    const response = await passkey.assert({ challenge: fromBase64url(options.challenge), origin: base, rpId: options.rpId });
    const policyUrl = `${base}/__stepgate/admin/v1/policy`;
    const etag = (await send(policyUrl, { headers: adminHeaders() })).headers.get("ETag")!;
    const off = await send(policyUrl, { method: "PUT", headers: adminHeaders({ "If-Match": etag }), body: JSON.stringify(policy({ enabled: false })) });
    expect(off.status).toBe(200);
    const refused = await postJson(`${api(base)}/challenges/${challengeId}/verify`, token, { factor: "webauthn", response });
    expect(await refused.json()).toMatchObject({ code: "factor_disabled" });
    // The user still has their backup codes.
    const backup = await postJson(`${api(base)}/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0] });
    expect(backup.status).toBe(200);
  });
});
