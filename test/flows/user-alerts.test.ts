/**
 * Security alerts to users (docs/notifications.md), through the worker: events published to the
 * real event stream are forwarded by its sink to the alerts' queue, whose consumer has the user's
 * object claim each alert and sends it through the tenant's provider — the dev outbox here, a real
 * SMTP server in `test/providers/alert-smtp.test.ts`. Events come from the product's own flows
 * where that is cheap (enrolling, removing a factor, new backup codes, an admin's reset, wrong
 * codes, an approved withdrawal), and as the stream carries them for the rest.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { PolicySchema } from "../../src/config/policy-schema";
import { alertDelivery } from "../../src/state/alert-messages";
import type { StreamEvent } from "../../src/state/events";
import { userState } from "../../src/state/user";
import { alertUser, consumeAlerts } from "../../src/flows/user-alerts";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { anEvent, until } from "../support/events";
import { expectErrorLogs } from "../support/expected-logs";
import { codeIn, lastCodeTo, type OutboxEntry, outbox, timePasses } from "../support/outbox";
import { challengeFor, enrollTotpViaApi, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const SUPPORT = "https://help.acme.test/security";
const HOUR_MS = 3_600_000;

const policy = (overrides: Partial<PolicyInput> = {}) => aPolicy({ ...overrides, branding: { name: "Acme", supportUrl: SUPPORT, ...overrides.branding } });

/** A user their object knows, with the email address the portal's session names. */
async function aUser(tenantId: string, userId: string, email: string | null = `${userId}@acme.test`): Promise<string | null> {
  await userState(env, tenantId, userId).status(undefined, email);
  return email;
}

/** Publishes events to the event stream, as the users' objects do. */
async function publishEvents(...events: StreamEvent[]): Promise<void> {
  await env.EVENTS.sendBatch(events.map((body) => ({ body, contentType: "json" as const })));
}

/** The alerts the tenant's dev outbox kept (alerts carry no code), newest first. */
async function alertsIn(base: string): Promise<OutboxEntry[]> {
  return (await outbox(base)).filter((message) => message.code === null);
}

/** Waits for `count` alerts to `to`; returns them, newest first. */
async function alertsTo(base: string, to: string, count = 1): Promise<OutboxEntry[]> {
  const found = async () => (await alertsIn(base)).filter((message) => message.to === to);
  await until(async () => (await found()).length >= count, `${count} alert(s) to ${to}`);
  return found();
}

/** The user's audit entries of `type`, oldest first. */
function userEntries(tenantId: string, userId: string, type: string): Promise<Array<Record<string, unknown>>> {
  return runInDurableObject(userState(env, tenantId, userId), (_, state) =>
    state.storage.sql
      .exec<{ detail: string }>("SELECT detail FROM audit WHERE type = ? ORDER BY seq", type)
      .toArray()
      .map((row) => JSON.parse(row.detail) as Record<string, unknown>),
  );
}

/** Runs the user's publish alarm: their new audit entries go to the stream (and on to the alerts' queue). */
const publishUser = (tenantId: string, userId: string) => runDurableObjectAlarm(userState(env, tenantId, userId));

const PARIS = { city: "Paris", country: "FR" };
const LATER = () => Date.now() + 15 * 60_000;

/** Each kind of alert: the event as the stream carries it, its switch, and what the English email says. */
const KINDS: Array<{ type: string; detail: () => Record<string, unknown>; off: Partial<PolicyInput["notifications"]>; subject: string; says: RegExp }> = [
  {
    type: "factor.enrolled",
    detail: () => ({ factor: "totp", factorId: "f-1" }),
    off: { factorAdded: false },
    subject: "Acme: Factor added",
    says: /^A factor was added to your Acme account: authenticator app\. It can now be used to confirm it's you\.$/m,
  },
  {
    type: "factor.removed",
    detail: () => ({ factor: "sms", factorId: "f-2", remaining: 1 }),
    off: { factorRemoved: false },
    subject: "Acme: Factor removed",
    says: /^A factor was removed from your Acme account: codes by text message\.$/m,
  },
  {
    type: "factor.replaced",
    detail: () => ({ factor: "totp", factorId: "f-3", replacedId: "f-1" }),
    off: { factorRemoved: false },
    subject: "Acme: Authenticator app replaced",
    says: /^The authenticator app of your Acme account was replaced by another: codes from the old one no longer work\.$/m,
  },
  {
    type: "backup_codes.issued",
    detail: () => ({ count: 10, regenerated: true }),
    off: { backupCodesRegenerated: false },
    subject: "Acme: New backup codes",
    says: /^New backup codes were made for your Acme account\. The old ones no longer work\.$/m,
  },
  {
    type: "backup_code.used",
    detail: () => ({ remaining: 2 }),
    off: { backupCodesLow: false },
    subject: "Acme: Few backup codes left",
    says: /^A backup code of your Acme account was used\. Backup codes left: 2\.$/m,
  },
  {
    type: "device.trusted",
    detail: () => ({ deviceId: "d-1", name: "Firefox on Windows" }),
    off: { deviceTrusted: false },
    subject: "Acme: Device trusted",
    says: /^A browser was trusted on your Acme account: on it, some verifications are skipped for a while\.\nDevice: Firefox, Windows$/m,
  },
  {
    type: "lockout.started",
    detail: () => ({ until: LATER() }),
    off: { lockout: false },
    subject: "Acme: Verification locked",
    says: /^Verification on your Acme account was locked after several wrong codes, until \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M\.$/m,
  },
  {
    type: "lockout.escalated",
    detail: () => ({ since: Date.now(), temporaryLockouts: 3, periodSeconds: 86_400 }),
    off: { lockout: false },
    subject: "Acme: Verification locked until unlocked",
    says: /^Verification on your Acme account was locked after repeated wrong codes, until an administrator unlocks it\.$/m,
  },
  {
    type: "user.reset",
    detail: () => ({ actor: "bootstrap", factorsRemoved: 2 }),
    off: { adminReset: false },
    subject: "Acme: Two-factor verification reset",
    says: /^An administrator reset two-factor verification on your Acme account: its factors, backup codes and trusted devices were removed\.$/m,
  },
  {
    type: "signin.new_location",
    detail: () => ({ country: "FR", asn: 3215, city: "Paris", factor: "totp", setAsideDeviceId: null }),
    off: { newLocation: false },
    subject: "Acme: Sign-in from a new place",
    says: /^Your Acme account was signed in to from a country or network it had not been used from\.$/m,
  },
  {
    type: "verify.ok",
    detail: () => ({
      factor: "totp",
      operation: "withdraw",
      approving: [
        { field: "amount", value: "1234.50", label: { en: "Amount", de: "Betrag" }, format: "money", currency: "EUR" },
        { field: "to.iban", value: "DE89370400440532013000", label: "To IBAN", format: "iban" },
      ],
    }),
    off: { approvals: [] },
    subject: "Acme: Approved: withdrawal",
    says: /^Approved on your Acme account: withdrawal \(Amount €1,234\.50, To IBAN DE89 3704 0044 0532 0130 00\)\.$/m,
  },
];

describe("an alert of each kind", () => {
  it.each(KINDS)("tells the user of $type by email: what, when, from where, and where to get help", async ({ type, detail, subject, says }) => {
    const { base, tenantId } = await aTenant(policy({ notifications: { approvals: ["withdraw"] } }));
    const to = (await aUser(tenantId, "ann"))!;
    await publishEvents(anEvent(tenantId, "ann", { type, detail: detail(), ...PARIS }));

    const [alert] = await alertsTo(base, to);
    expect(alert).toMatchObject({ channel: "email", subject, code: null });
    expect(alert!.text).toMatch(says);
    expect(alert!.text).toMatch(/^When: \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M \(UTC\)$/m);
    expect(alert!.text).toContain("\nWhere: Paris, France\n");
    expect(alert!.text).toContain(`\nIf you did this, there is nothing to do.\nIf it was not you, get help at once: ${SUPPORT}\n`);
    expect(alert!.text.endsWith("\nThis message has no link to sign in and no code. Acme will never ask you for a code.")).toBe(true);
    // The tenant's help page is its one link; no stepgate address, no code.
    expect(alert!.text.match(/https?:\/\/\S+/g)).toEqual([SUPPORT]);
    expect(alert!.text).not.toMatch(/__stepgate|\b\d{6,8}\b/);
    expect(await userEntries(tenantId, "ann", "alert.sent")).toEqual([{ eventId: expect.stringMatching(/^u-/), type, channel: "email", to: "a••@acme.test" }]);
  });

  it.each(KINDS)("sends none of $type while its switch is off", async ({ type, detail, off }) => {
    const { base, tenantId } = await aTenant(policy({ notifications: { approvals: ["withdraw"], ...off } }));
    const to = (await aUser(tenantId, "bo"))!;
    const other = (await aUser(tenantId, "cy"))!;
    // In the same batch as an alert that is on: once it arrived, the sink has passed the other by.
    const marker = type === "user.reset" ? "device.trusted" : "user.reset";
    await publishEvents(anEvent(tenantId, "bo", { type, detail: detail() }), anEvent(tenantId, "cy", { type: marker, detail: {} }));
    await alertsTo(base, other);
    expect((await alertsIn(base)).filter((message) => message.to === to)).toEqual([]);
    // The consumer, given it anyway (a switch turned off after it was forwarded), sends none either.
    const config = PolicySchema.parse(policy({ notifications: { approvals: ["withdraw"], ...off } }));
    expect(await alertUser(env, tenantId, config, anEvent(tenantId, "bo", { type, detail: detail() }))).toBe("off");
  });

  it("is about what its switch is about: not backup codes issued with a first factor, nor a backup code used while many are left", async () => {
    const { base, tenantId } = await aTenant(policy());
    const to = (await aUser(tenantId, "di"))!;
    await publishEvents(
      anEvent(tenantId, "di", { type: "backup_codes.issued", detail: { count: 10, regenerated: false } }),
      anEvent(tenantId, "di", { type: "backup_code.used", detail: { remaining: 3 } }),
      anEvent(tenantId, "di", { type: "backup_code.used", detail: { remaining: 0 } }),
    );
    const [alert] = await alertsTo(base, to);
    expect(alert!.text).toContain("Backup codes left: 0.");
    expect(await alertsIn(base)).toHaveLength(1);
  });
});

describe("alerts from the product's own flows", () => {
  const withdrawals: PolicyInput["operations"] = {
    withdraw: {
      routes: ["POST /echo/withdraw"],
      maxAge: 0,
      display: [
        { field: "amount", label: { en: "Amount", de: "Betrag" }, format: "money", currencyField: "currency" },
        { field: "/to/iban", label: { en: "To IBAN", de: "An IBAN" }, format: "iban" },
        { field: "/to/name", label: "Payee" },
      ],
    },
  };

  it("tells of an approved withdrawal, where the tenant asked, with the amount and payee as the approval page shows them", async () => {
    const { base, tenantId } = await aTenant(policy({ operations: withdrawals, notifications: { approvals: ["withdraw"] } }));
    const token = await aSession({ sub: "eva", email: "eva@acme.test" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    await userState(env, tenantId, "eva").rememberLanguage("de");
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token, {
      amount: "1234.50",
      currency: "EUR",
      to: { iban: "DE89370400440532013000", name: "Bob" },
    });
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
    // What was approved is part of the audit entry the alert is made from.
    expect((await userEntries(tenantId, "eva", "verify.ok")).at(-1)).toMatchObject({
      operation: "withdraw",
      approving: [{ field: "amount", value: "1234.50", currency: "EUR" }, { field: "to.iban" }, { field: "to.name", value: "Bob" }],
    });
    await publishUser(tenantId, "eva");

    const alerts = await alertsTo(base, "eva@acme.test", 2);
    const approval = alerts.find((message) => message.subject?.startsWith("Acme: Freigegeben"))!;
    expect(approval.subject).toBe("Acme: Freigegeben: Auszahlung");
    expect(approval.text).toContain("In Ihrem Acme-Konto freigegeben: Auszahlung (Betrag 1.234,50\u00a0€, An IBAN DE89 3704 0044 0532 0130 00, Payee Bob).");
    // The authenticator app enrolled before is told too (a factor added); a login is no approval.
    expect(alerts.map((message) => message.subject).sort()).toEqual(["Acme: Faktor hinzugefügt", "Acme: Freigegeben: Auszahlung"]);
  });

  it("tells of locks after wrong codes, and of new backup codes, through the user API", async () => {
    const { base, tenantId } = await aTenant(policy({ operations: withdrawals, lockout: { maxAttempts: 2 } }));
    const token = await aSession({ sub: "fin", email: "fin@acme.test" });
    await enrollTotpViaApi(base, token);
    // The enrolling session verified just now: it may make new backup codes.
    expect((await postJson(`${base}/__stepgate/api/backup-codes`, token, {})).status).toBe(201);
    const challengeId = await challengeFor(`${base}/echo/withdraw`, token);
    for (let i = 0; i < 2; i++) await verify(base, token, challengeId, "backup_code", "zzzz-zzzz");
    await publishUser(tenantId, "fin");

    const alerts = await alertsTo(base, "fin@acme.test", 3);
    expect(alerts.map((message) => message.subject).sort()).toEqual(["Acme: Factor added", "Acme: New backup codes", "Acme: Verification locked"]);
  });

  /** Enrols `address` (a phone or an email) as a factor of session `token`, with the code sent to it. */
  async function enrollAddress(base: string, token: string, address: string): Promise<void> {
    const [kind, field] = address.startsWith("+") ? ["sms", "phone"] : ["email", "email"];
    const started = await postJson(`${base}/__stepgate/api/enroll/${kind}`, token, { [field]: address });
    expect(started.status).toBe(201);
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    expect((await postJson(`${base}/__stepgate/api/enroll/${kind}/confirm`, token, { enrollmentId, code: await lastCodeTo(base, address) })).status).toBe(200);
  }

  it("tells of an email address added at the one the user had before, never at the new one, and of one removed at the address removed", async () => {
    const { base, tenantId } = await aTenant(policy({ factors: { email: { enabled: true } } }));
    const token = await aSession({ sub: "gil" });
    await enrollAddress(base, token, "gil@home.test");
    // The first address had none before it: whoever added it knows, and no one else can be told.
    await publishUser(tenantId, "gil");
    const told = () =>
      runInDurableObject(userState(env, tenantId, "gil"), (_, state) => state.storage.sql.exec<{ state: string }>("SELECT state FROM alerts").toArray());
    await until(async () => (await told()).length === 1, "the first factor's alert decided");
    expect(await told()).toEqual([{ state: "refused" }]);
    await timePasses(tenantId, "gil", 31_000);
    await enrollAddress(base, token, "other@elsewhere.test");
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      factors: Array<{ id: string; destination: string }>;
    }>();
    const own = me.factors.find((factor) => factor.destination.endsWith("@home.test"))!;
    expect((await send(`${base}/__stepgate/api/factors/${own.id}`, { method: "DELETE", headers: { Cookie: `portal_session=${token}` } })).status).toBe(204);
    await publishUser(tenantId, "gil");

    const home = await alertsTo(base, "gil@home.test", 2);
    expect(home.map((message) => message.subject).sort()).toEqual(["Acme: Factor added", "Acme: Factor removed"]);
    expect(home.find((message) => message.subject === "Acme: Factor removed")!.text).toContain("removed from your Acme account: codes by email.");
    expect((await alertsIn(base)).filter((message) => message.to !== "gil@home.test")).toEqual([]);
  });

  it("tells of a factor added at every address the user had before it, by email and by text, and never at the new one", async () => {
    const { base, tenantId } = await aTenant(policy({ enforcement: "required", factors: { sms: { enabled: true }, email: { enabled: true } } }));
    const token = await aSession({ sub: "gus", email: "Gus@Portal.test" });
    // Through the gate: the user's object notes the session's email, the user's oldest address.
    expect((await postJson(`${base}/wallet/withdraw`, token, { amount: 1 })).status).toBe(401);
    await enrollAddress(base, token, "+14155552671");
    await timePasses(tenantId, "gus", 31_000);
    // Another session (the owner's, or one stolen) adds an email after a fresh verification: the phone's code.
    const later = await aSession({ sub: "gus", sid: "gus-2", email: "Gus@Portal.test" });
    const refused = await postJson(`${base}/__stepgate/api/enroll/email`, later, { email: "new@elsewhere.test" });
    expect(refused.status).toBe(401);
    const { challengeId } = await refused.json<{ challengeId: string }>();
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, later, { factor: "sms" })).status).toBe(202);
    expect((await verify(base, later, challengeId, "sms", await lastCodeTo(base, "+14155552671"))).status).toBe(200);
    await enrollAddress(base, later, "new@elsewhere.test");
    await publishUser(tenantId, "gus");

    // The phone's alert went to the session's email; the new email's to both the session's email and the phone.
    const added = (await alertsTo(base, "Gus@Portal.test", 2)).filter((message) => message.subject === "Acme: Factor added");
    expect(added.map((message) => message.text.match(/^A factor was added .*$/m)![0]).sort()).toEqual([
      "A factor was added to your Acme account: codes by email. It can now be used to confirm it's you.",
      "A factor was added to your Acme account: codes by text message. It can now be used to confirm it's you.",
    ]);
    const [text] = await alertsTo(base, "+14155552671");
    expect(text!.text).toMatch(/^A factor was added to your Acme account: codes by email\./);
    expect((await alertsIn(base)).filter((message) => message.to === "new@elsewhere.test")).toEqual([]);
    expect((await userEntries(tenantId, "gus", "alert.sent")).map(({ channel, to }) => `${channel} ${to}`).sort()).toEqual([
      "email G••@Portal.test",
      "email G••@Portal.test",
      "sms +1••••••2671",
    ]);
  });

  it("retries an alert that reached some of its addresses to the others alone", async () => {
    const { base, tenantId } = await aTenant(policy({ factors: { sms: { enabled: true } } }));
    await aUser(tenantId, "ivy", "ivy@acme.test");
    const token = await aSession({ sub: "ivy" });
    await enrollAddress(base, token, "+14155552671");
    const added = anEvent(tenantId, "ivy", {
      type: "factor.enrolled",
      detail: { factor: "totp", factorId: "f-later" },
      at: new Date(Date.now() + 1000).toISOString(),
    });
    // Email through an SMTP server that cannot be reached: the text leaves, the email does not.
    const dead = { provider: "smtp" as const, host: "127.0.0.1", port: Number(new URL(env.DEAD_ORIGIN).port), secure: false, from: "s@acme.test" };
    const failing = PolicySchema.parse(policy({ factors: { sms: { enabled: true }, email: dead } }));
    const errors = expectErrorLogs();
    await expect(alertUser(env, tenantId, failing, added)).rejects.toMatchObject({ code: "delivery_failed" });
    expect(errors).toHaveBeenCalledWith("stepgate: smtp delivery failed", "127.0.0.1", expect.any(Error));
    expect((await alertsIn(base)).map((message) => message.to)).toEqual(["+14155552671"]);
    // The next try sends the email alone; a third finds the alert sent.
    const working = PolicySchema.parse(policy({ factors: { sms: { enabled: true } } }));
    expect(await alertUser(env, tenantId, working, added)).toBe("sent");
    expect((await alertsIn(base)).map((message) => message.to).sort()).toEqual(["+14155552671", "ivy@acme.test"]);
    expect(await alertUser(env, tenantId, working, added)).toBe("already_alerted");
    expect((await userEntries(tenantId, "ivy", "alert.sent")).map((entry) => entry.channel).sort()).toEqual(["email", "sms"]);
  });

  it("tells of an admin's reset at an address the user had, though the reset removed it", async () => {
    const { base, tenantId } = await aTenant(policy({ factors: { email: { enabled: true } } }));
    const token = await aSession({ sub: "hal" });
    await enrollAddress(base, token, "hal@home.test");
    const reset = await send(`${base}/__stepgate/admin/v1/users/hal/reset`, { method: "POST", headers: adminHeaders() });
    expect(reset.status).toBe(200);
    await publishUser(tenantId, "hal");
    const alerts = await alertsTo(base, "hal@home.test");
    expect(alerts.map((message) => message.subject)).toEqual(["Acme: Two-factor verification reset"]);
  });
});

describe("where and how an alert is written", () => {
  const event = (tenantId: string, userId: string, fields: Partial<StreamEvent> = {}) =>
    anEvent(tenantId, userId, { type: "device.trusted", detail: { deviceId: "d-1", name: "Chrome on Android" }, ...fields });

  it("speaks the language the user last used a page in, among the tenant's, else the tenant's default", async () => {
    const { base, tenantId } = await aTenant(policy({ branding: { languages: ["en", "de", "ja"], defaultLanguage: "ja" } }));
    await aUser(tenantId, "ida");
    await aUser(tenantId, "jo");
    await aUser(tenantId, "kai");
    await userState(env, tenantId, "ida").rememberLanguage("de");
    await userState(env, tenantId, "jo").rememberLanguage("fr");
    await publishEvents(event(tenantId, "ida"), event(tenantId, "jo"), event(tenantId, "kai"));
    const [german] = await alertsTo(base, "ida@acme.test");
    expect(german!.subject).toBe("Acme: Gerät als vertrauenswürdig festgelegt");
    expect(german!.text).toContain(`Wenn Sie es nicht waren, holen Sie sich sofort Hilfe: ${SUPPORT}`);
    // French is not among the tenant's languages: its default, as for a user who named none.
    for (const to of ["jo@acme.test", "kai@acme.test"]) expect((await alertsTo(base, to))[0]!.subject).toBe("Acme：デバイスが信頼されました");
  });

  it("gives the time in the user's time zone, named, and the place Cloudflare named, else says it is unknown", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aUser(tenantId, "lea");
    await userState(env, tenantId, "lea").rememberLanguage("en", "Asia/Tokyo");
    const at = new Date(Date.now() - HOUR_MS).toISOString();
    await publishEvents(event(tenantId, "lea", { at, city: null, country: null }));
    const [alert] = await alertsTo(base, "lea@acme.test");
    const tokyo = new Intl.DateTimeFormat("en", { timeZone: "Asia/Tokyo", dateStyle: "medium", timeStyle: "short" }).format(new Date(at));
    expect(alert!.text).toContain(`\nWhen: ${tokyo} (Asia/Tokyo)\nWhere: an unknown place\n`);
  });

  it("offers the support address when there is no support page, and the tenant when there is neither", async () => {
    const byEmail = await aTenant(aPolicy({ branding: { name: "Acme", supportEmail: "help@acme.test" } }));
    await aUser(byEmail.tenantId, "mo");
    await publishEvents(event(byEmail.tenantId, "mo"));
    expect((await alertsTo(byEmail.base, "mo@acme.test"))[0]!.text).toContain("If it was not you, get help at once: help@acme.test\n");
    const neither = await aTenant(aPolicy({ branding: { name: "Acme" } }));
    await aUser(neither.tenantId, "ned");
    await publishEvents(event(neither.tenantId, "ned"));
    const [alert] = await alertsTo(neither.base, "ned@acme.test");
    expect(alert!.text).toContain("If it was not you, contact Acme at once.\n");
    expect(alert!.text).not.toMatch(/https?:|www\./);
  });

  it("texts a user whose only address is a phone, and sends nothing to a user with no address", async () => {
    const { base, tenantId } = await aTenant(policy({ factors: { sms: { enabled: true } } }));
    const token = await aSession({ sub: "ola" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: "+14155552671" });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    expect((await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: await lastCodeTo(base, "+14155552671") })).status).toBe(
      200,
    );
    await aUser(tenantId, "pia", null);
    await publishEvents(event(tenantId, "ola", PARIS), event(tenantId, "pia"));
    const [text] = await alertsTo(base, "+14155552671");
    expect(text).toMatchObject({ channel: "sms", subject: null });
    expect(text!.text).toMatch(
      /^A browser was trusted on your Acme account: on it, some verifications are skipped for a while\. When: .+ \(UTC\)\. Where: Paris, France\. Not you\? https:\/\/help\.acme\.test\/security$/,
    );
    // The user with no address is remembered as told nothing, and not audited (nothing new to say).
    const config = PolicySchema.parse(policy());
    expect(await alertUser(env, tenantId, config, event(tenantId, "pia"))).toBe("no_address");
    expect(await userEntries(tenantId, "pia", "alert.refused")).toEqual([]);
  });
});

describe("each event's alert once", () => {
  const policyOk = () => PolicySchema.parse(policy());

  it("sends one message for an event delivered twice in one batch, the second retried and then acknowledged", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aUser(tenantId, "quin");
    const trusted = anEvent(tenantId, "quin", { type: "device.trusted", detail: {} });
    const batch = createMessageBatch<unknown>("stepgate-notifications", [
      { id: "m-1", timestamp: new Date(), attempts: 1, body: alertDelivery(trusted) },
      { id: "m-2", timestamp: new Date(), attempts: 1, body: alertDelivery(trusted) },
    ]);
    const errors = expectErrorLogs();
    await consumeAlerts(batch, env);
    const first = await getQueueResult(batch, createExecutionContext());
    // The two raced: one sent it, the other found it being sent and asked to be tried again.
    expect(first.explicitAcks).toHaveLength(1);
    expect(first.retryMessages).toHaveLength(1);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^stepgate: the alert of event u-.* was not sent; retrying$/), expect.any(Error));

    const again = createMessageBatch<unknown>("stepgate-notifications", [{ id: "m-2", timestamp: new Date(), attempts: 2, body: alertDelivery(trusted) }]);
    await consumeAlerts(again, env);
    expect((await getQueueResult(again, createExecutionContext())).explicitAcks).toEqual(["m-2"]);
    expect(await alertsIn(base)).toHaveLength(1);
    expect(await alertUser(env, tenantId, policyOk(), trusted)).toBe("already_alerted");
  });

  it("takes over a send that never reported back, once it must have ended", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aUser(tenantId, "ray");
    const trusted = anEvent(tenantId, "ray", { type: "device.trusted", detail: {} });
    const user = userState(env, tenantId, "ray");
    const claim = {
      eventId: trusted.id,
      type: trusted.type,
      kind: "deviceTrusted" as const,
      at: Date.now(),
      unlimited: false,
      perKindPerHour: 5,
      channels: ["email" as const],
      addedFactorId: null,
    };
    expect(await user.claimAlert(claim)).toMatchObject({ ok: true });
    // Its consumer was stopped mid-send: another delivery waits while it may still be sending …
    expect(await user.claimAlert(claim)).toEqual({ ok: false, reason: "in_flight" });
    await runInDurableObject(user, (_, state) => state.storage.sql.exec("UPDATE alerts SET at = at - 61000"));
    // … and sends it once it cannot be.
    expect(await alertUser(env, tenantId, policyOk(), trusted)).toBe("sent");
    expect(await alertsIn(base)).toHaveLength(1);
  });

  it("gives up its claim when the provider failed, so the next try sends it", async () => {
    const { base, tenantId } = await aTenant(policy());
    await aUser(tenantId, "sol");
    const trusted = anEvent(tenantId, "sol", { type: "device.trusted", detail: {} });
    const unreachable = PolicySchema.parse(
      policy({ factors: { email: { provider: "smtp", host: "127.0.0.1", port: Number(new URL(env.DEAD_ORIGIN).port), secure: false, from: "s@acme.test" } } }),
    );
    const errors = expectErrorLogs();
    await expect(alertUser(env, tenantId, unreachable, trusted)).rejects.toMatchObject({ code: "delivery_failed" });
    expect(errors).toHaveBeenCalledWith("stepgate: smtp delivery failed", "127.0.0.1", expect.any(Error));
    expect(await alertUser(env, tenantId, policyOk(), trusted)).toBe("sent");
    expect(await alertsIn(base)).toHaveLength(1);
    expect(await userEntries(tenantId, "sol", "alert.sent")).toHaveLength(1);
  });

  it("sends none for an event older than a week (a dead letter replayed long after)", async () => {
    const { tenantId } = await aTenant(policy());
    await aUser(tenantId, "tam");
    const old = anEvent(tenantId, "tam", { type: "device.trusted", detail: {}, at: new Date(Date.now() - 8 * 24 * HOUR_MS).toISOString() });
    expect(await alertUser(env, tenantId, policyOk(), old)).toBe("too_old");
  });
});

describe("send limits", () => {
  const events = (tenantId: string, userId: string, type: string, n: number) =>
    Array.from({ length: n }, () => anEvent(tenantId, userId, { type, detail: {} }));

  it("sends at most perKindPerHour of a kind, audits the one refused, and lets another kind through", async () => {
    const { base, tenantId } = await aTenant(policy({ notifications: { perKindPerHour: 2 } }));
    await aUser(tenantId, "uli");
    await publishEvents(...events(tenantId, "uli", "device.trusted", 3));
    await until(async () => (await userEntries(tenantId, "uli", "alert.refused")).length === 1, "the third alert refused");
    expect(await userEntries(tenantId, "uli", "alert.refused")).toEqual([{ eventId: expect.any(String), type: "device.trusted", reason: "alert_limit" }]);
    await publishEvents(anEvent(tenantId, "uli", { type: "user.reset", detail: {} }));
    const alerts = await alertsTo(base, "uli@acme.test", 3);
    expect(alerts.map((message) => message.subject).sort()).toEqual(["Acme: Device trusted", "Acme: Device trusted", "Acme: Two-factor verification reset"]);
    // An hour later the kind may be told again.
    await runInDurableObject(userState(env, tenantId, "uli"), (_, state) => state.storage.sql.exec("UPDATE alerts SET at = at - ?", HOUR_MS));
    await publishEvents(...events(tenantId, "uli", "device.trusted", 1));
    await alertsTo(base, "uli@acme.test", 4);
    // The tenant's audit (and the console's Activity) shows what the user was told, and what not.
    await publishUser(tenantId, "uli");
    const told = async () =>
      (
        await (
          await send(`${base}/__stepgate/admin/v1/audit?type=alert.*&limit=50`, { headers: adminHeaders() })
        ).json<{ entries: Array<{ type: string; user: string }> }>()
      ).entries;
    await until(async () => (await told()).length === 5, "the alerts in the tenant's audit");
    expect((await told()).map((entry) => entry.type).sort()).toEqual(["alert.refused", "alert.sent", "alert.sent", "alert.sent", "alert.sent"]);
  });

  it("always tells of the lock until an admin unlocks, whatever lockouts a guesser caused before it", async () => {
    const { base, tenantId } = await aTenant(policy({ notifications: { perKindPerHour: 1 } }));
    await aUser(tenantId, "vic");
    await publishEvents(...events(tenantId, "vic", "lockout.started", 2));
    await until(async () => (await userEntries(tenantId, "vic", "alert.refused")).length === 1, "the second lockout's alert refused");
    await publishEvents(anEvent(tenantId, "vic", { type: "lockout.escalated", detail: {} }));
    const alerts = await alertsTo(base, "vic@acme.test", 2);
    expect(alerts.map((message) => message.subject).sort()).toEqual(["Acme: Verification locked", "Acme: Verification locked until unlocked"]);
  });

  it("is a budget apart from the codes': a user whose codes are used up is still told, and an alert takes none of them", async () => {
    const { base, tenantId } = await aTenant(policy({ factors: { sms: { enabled: true } }, sendLimits: { perUserPerHour: 1 } }));
    const token = await aSession({ sub: "wyn" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: "+14155552671" });
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const code = await lastCodeTo(base, "+14155552671");
    // The one code of the hour was sent: another is refused.
    expect((await postJson(`${base}/__stepgate/api/enroll/sms/resend`, token, { enrollmentId })).status).toBe(429);
    expect((await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code })).status).toBe(200);
    await publishEvents(anEvent(tenantId, "wyn", { type: "lockout.started", detail: { until: LATER() } }));
    const [alert] = await alertsTo(base, "+14155552671");
    expect(alert!.text).toMatch(/^Verification on your Acme account was locked/);
    expect(codeIn(code)).toBe(code);
    const sends = await runInDurableObject(
      userState(env, tenantId, "wyn"),
      (_, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sends").one().n,
    );
    expect(sends).toBe(1);
  });
});

describe("an alert that cannot be sent", () => {
  it("is retried, then kept as a dead letter of the alerts' queue, and a replay sends it once", async () => {
    const dead = { provider: "smtp" as const, host: "127.0.0.1", port: Number(new URL(env.DEAD_ORIGIN).port), secure: false, from: "s@acme.test" };
    const { base, tenantId } = await aTenant(policy({ factors: { email: { ...dead } } }));
    await aUser(tenantId, "xan");
    const trusted = anEvent(tenantId, "xan", { type: "device.trusted", detail: {} });
    const errors = expectErrorLogs();
    await publishEvents(trusted);

    type DeadPage = { events: Array<{ id: string; queue: string; message: unknown }> };
    const listed = async () => (await send(`${base}/__stepgate/admin/v1/events/dead`, { headers: adminHeaders() })).json<DeadPage>();
    await until(async () => (await listed()).events.length === 1, "the alert in the dead-letter list");
    const alertId = `alert.${trusted.id}`;
    expect((await listed()).events).toEqual([
      expect.objectContaining({ id: alertId, queue: "stepgate-notifications", message: { kind: "alert", id: alertId, tenantId, event: trusted } }),
    ]);
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^stepgate: the alert of event .* was not sent; retrying$/), expect.anything());
    // The event itself reached the tenant's audit once: only its alert failed.
    const audit = await (await send(`${base}/__stepgate/admin/v1/audit?type=device.trusted`, { headers: adminHeaders() })).json<{ entries: unknown[] }>();
    expect(audit.entries).toHaveLength(1);

    // The tenant fixes its provider; an admin replays the alert, to its own queue.
    await env.POLICY.put(`policy:${tenantId}`, JSON.stringify(policy()));
    const replay = await send(`${base}/__stepgate/admin/v1/events/dead/${alertId}/replay`, { method: "POST", headers: adminHeaders() });
    expect(await replay.json()).toEqual({ id: alertId, replayed: true });
    await alertsTo(base, "xan@acme.test");
    expect((await listed()).events).toEqual([]);
    expect(await alertsIn(base)).toHaveLength(1);
  });
});
