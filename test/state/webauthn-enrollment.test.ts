/**
 * Enrolling passkeys in the user's Durable Object: under the rules every factor has (the first
 * yields backup codes, a later one needs a fresh verification), one credential id stored once,
 * and a registration challenge that is spent by its first use, whatever the outcome.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { base64url } from "../../src/lib/encoding";
import { aChallenge, answerWithPasskey, aPasskeyUser, auditTrail, confirm, enrol, PAGE_ORIGIN, RP_ID } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";

describe("enrolling a passkey", () => {
  it("makes the first passkey an active factor with backup codes, a fresh session and an audit entry", async () => {
    const user = await aPasskeyUser();
    const passkey = await SoftwareCredential.create("EdDSA");
    const enrolled = await enrol(user, "s0", passkey);
    expect(enrolled).toMatchObject({ ok: true, firstFactor: true, replaced: false, challenge: null });
    if (!enrolled.ok) throw new Error("not enrolled");
    expect(enrolled.backupCodes).toHaveLength(10);
    expect(await user.backupCodesLeft()).toBe(10);
    expect((await user.status()).factors).toEqual([
      { id: enrolled.factorId, kind: "webauthn", destination: null, name: null, passkey: { kind: "passkey", synced: false } },
    ]);
    const stored = await runInDurableObject(user, (_instance, state) =>
      state.storage.sql.exec("SELECT credential_id, sign_count, ceremony_challenge, confirmed_at IS NOT NULL AS confirmed FROM factors").toArray(),
    );
    expect(stored).toEqual([{ credential_id: passkey.credentialId, sign_count: 1, ceremony_challenge: null, confirmed: 1 }]);
    const trail = await auditTrail(user);
    expect(trail.map((entry) => entry.type)).toEqual(["factor.enrolled", "backup_codes.issued"]);
    expect(trail[0]!.detail).toMatchObject({ factor: "webauthn", factorId: enrolled.factorId });
    // Enrolling the first factor proved this session: a second passkey may follow at once.
    expect((await user.beginWebAuthnEnrollment({ sessionId: "s0" })).ok).toBe(true);
  });

  it("offers the same random user handle every time, and excludes the credentials the user has", async () => {
    const user = await aPasskeyUser();
    const first = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!first.ok) throw new Error("not started");
    expect(first.exclude).toEqual([]);
    expect(first.userHandle).toHaveLength(32);
    expect(new TextDecoder().decode(first.userHandle)).not.toContain("alice");
    const passkey = await SoftwareCredential.create("ES256");
    const response = await passkey.register({ challenge: first.challenge, origin: PAGE_ORIGIN, rpId: RP_ID }, ["usb"]);
    expect((await confirm(user, "s0", first.enrollmentId, response)).ok).toBe(true);
    const second = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!second.ok) throw new Error("not started");
    expect(base64url(second.userHandle)).toBe(base64url(first.userHandle));
    expect(base64url(second.challenge)).not.toBe(base64url(first.challenge));
    expect(second.exclude).toEqual([{ id: passkey.credentialId, transports: ["usb"] }]);
  });

  it("adds a later passkey only after a fresh manage_factors verification in that session, without new backup codes", async () => {
    const user = await aPasskeyUser();
    const phone = await SoftwareCredential.create("ES256");
    expect((await enrol(user, "s0", phone)).ok).toBe(true);
    const key = await SoftwareCredential.create("EdDSA");
    expect(await user.beginWebAuthnEnrollment({ sessionId: "s1" })).toEqual({ ok: false, error: "step_up_required" });
    // A withdrawal's verification does not open the window; a manage_factors one does.
    expect((await answerWithPasskey(user, phone, await aChallenge(user, "s1"), "s1")).ok).toBe(true);
    expect(await user.beginWebAuthnEnrollment({ sessionId: "s1" })).toEqual({ ok: false, error: "step_up_required" });
    expect((await answerWithPasskey(user, phone, await aChallenge(user, "s1", null, "manage_factors"), "s1")).ok).toBe(true);
    const second = await enrol(user, "s1", key);
    expect(second).toMatchObject({ ok: true, firstFactor: false, backupCodes: [] });
    expect((await user.status()).factors.map((f) => f.kind)).toEqual(["webauthn", "webauthn"]);
    expect(await user.backupCodesLeft()).toBe(10);
  });

  it("refuses a credential the user has already enrolled", async () => {
    const user = await aPasskeyUser();
    const passkey = await SoftwareCredential.create("ES256");
    expect((await enrol(user, "s0", passkey)).ok).toBe(true);
    expect(await enrol(user, "s0", passkey)).toEqual({ ok: false, error: "already_enrolled" });
    expect((await user.status()).factors).toHaveLength(1);
    const pending = await runInDurableObject(user, (_instance, state) => state.storage.sql.exec("SELECT 1 FROM factors WHERE status = 'pending'").toArray());
    expect(pending).toEqual([]);
  });

  it("spends the registration challenge on its first use, even when the response is refused", async () => {
    const user = await aPasskeyUser();
    const passkey = await SoftwareCredential.create("ES256");
    const started = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!started.ok) throw new Error("not started");
    const phished = await passkey.register({ challenge: started.challenge, origin: "https://portal.acme.test.evil.example", rpId: RP_ID });
    expect(await confirm(user, "s0", started.enrollmentId, phished)).toEqual({ ok: false, error: "webauthn_refused", reason: "wrong_origin" });
    const genuine = await passkey.register({ challenge: started.challenge, origin: PAGE_ORIGIN, rpId: RP_ID });
    expect(await confirm(user, "s0", started.enrollmentId, genuine)).toEqual({ ok: false, error: "enrollment_not_found" });
    expect((await user.status()).factors).toEqual([]);
  });

  it("accepts one of two confirmations of the same enrolment racing", async () => {
    const user = await aPasskeyUser();
    const passkey = await SoftwareCredential.create("ES256");
    const started = await user.beginWebAuthnEnrollment({ sessionId: "s0" });
    if (!started.ok) throw new Error("not started");
    const response = await passkey.register({ challenge: started.challenge, origin: PAGE_ORIGIN, rpId: RP_ID });
    const outcomes = await Promise.all([confirm(user, "s0", started.enrollmentId, response), confirm(user, "s0", started.enrollmentId, response)]);
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect((await user.status()).factors).toHaveLength(1);
  });

  it("answers the enrolment challenge that sent a user to enrol their first passkey", async () => {
    const user = await aPasskeyUser();
    const opened = await user.openChallenge({ kind: "enroll", operation: "withdraw", sessionId: "s0", returnTo: "/wallet", digest: null });
    const enrolled = await enrol(user, "s0", await SoftwareCredential.create("ES256"), { challengeId: opened.id });
    expect(enrolled).toMatchObject({ ok: true, challenge: { operation: "withdraw", returnTo: "/wallet" } });
  });
});
