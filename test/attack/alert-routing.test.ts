/**
 * Attack probe (attack20): where a security alert goes when an intruder adds their own email
 * factor to an account whose owner had no email factor before (a phone, an app), but whose portal
 * session names the owner's email. docs/notifications.md: "Whoever … adds their own [address] is
 * told nothing: … an alert about a second address goes to the first."
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { until } from "../support/events";
import { codeIn, lastCodeTo, outbox, timePasses } from "../support/outbox";
import { postJson, verify } from "../support/step-up";

const PHONE = "+14155552671";
const OWNER = "owner@home.test";
const INTRUDER = "intruder@evil.test";

const policy = () =>
  aPolicy({
    enforcement: "required",
    branding: { name: "Acme", supportUrl: "https://help.acme.test/security" },
    factors: { sms: { enabled: true }, email: { enabled: true } },
  });

async function enrollPhone(base: string, token: string): Promise<void> {
  const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: PHONE });
  const { enrollmentId } = await started.json<{ enrollmentId: string }>();
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: await lastCodeTo(base, PHONE) });
  expect(confirmed.status).toBe(200);
}

describe("attack: an intruder's new email factor and the alert about it", () => {
  it("sends the 'factor added' alert to the owner's session email or phone, not to the intruder's new address", async () => {
    const { base, tenantId } = await aTenant(policy());
    // The owner: a phone factor, and a portal session that names their email.
    const ownerToken = await aSession({ sub: "vic", sid: "v-1", email: OWNER });
    // A protected request through the gate: the user's object notes the session's email.
    expect((await postJson(`${base}/wallet/withdraw`, ownerToken, { amount: 1 })).status).toBe(401);
    await enrollPhone(base, ownerToken);
    await timePasses(tenantId, "vic", 31_000);
    await runDurableObjectAlarm(userState(env, tenantId, "vic"));
    // The intruder: the owner's session (stolen), and one phished SMS code for the fresh verification.
    const token = await aSession({ sub: "vic", sid: "v-2", email: OWNER });
    const refused = await postJson(`${base}/__stepgate/api/enroll/email`, token, { email: INTRUDER });
    expect(refused.status).toBe(401);
    const { challengeId } = await refused.json<{ challengeId: string }>();
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, token, { factor: "sms" })).status).toBe(202);
    expect((await verify(base, token, challengeId, "sms", await lastCodeTo(base, PHONE))).status).toBe(200);
    const started = await postJson(`${base}/__stepgate/api/enroll/email`, token, { email: INTRUDER });
    expect(started.status).toBe(201);
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const mail = (await outbox(base)).find((m) => m.to === INTRUDER && m.code !== null)!;
    expect((await postJson(`${base}/__stepgate/api/enroll/email/confirm`, token, { enrollmentId, code: codeIn(mail.text) })).status).toBe(200);
    await runDurableObjectAlarm(userState(env, tenantId, "vic"));

    const alertsAbout = async (subject: string) => (await outbox(base)).filter((m) => m.code === null && m.subject === subject);
    await until(async () => (await alertsAbout("Acme: Factor added")).length >= 2, "the two 'factor added' alerts");
    const added = await alertsAbout("Acme: Factor added");
    // The first (the phone, the owner's own enrolment) and the second (the intruder's email).
    const recipients = added.map((m) => m.to);
    expect(recipients).not.toContain(INTRUDER);
  });
});
