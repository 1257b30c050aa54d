/**
 * Issue 20's "done when" for alerts: an email about a newly trusted device arrives at a real SMTP
 * server (Debian's aiosmtpd, started by test/support/origins.ts) in the user's language, with the
 * time in their time zone and the place the sign-in came from. Real parts throughout: the hosted
 * page that remembers the language, the user API's enrolment and login step-up, the user's
 * object, the event stream, the alerts' queue and its consumer, and the SMTP delivery.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import type { AuditEntry } from "../../src/state/user/audit";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { until } from "../support/events";
import { mailbox } from "../support/outbox";
import { enrollTotpViaApi } from "../support/step-up";

const SUPPORT = "https://help.acme.test/security";
const ANDROID_CHROME = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

describe("a security alert over SMTP", () => {
  it("arrives at a real SMTP server when a device is trusted, in German, with the time in Berlin and the place", async () => {
    const { base, tenantId } = await aTenant(
      aPolicy({
        branding: { name: "Acme", supportUrl: SUPPORT },
        factors: {
          email: { provider: "smtp", host: "127.0.0.1", port: Number(env.SMTP_PORT), secure: false, from: "Acme Security <security@acme.test>" },
        } as never,
        operations: { login: { routes: ["* /*"], maxAge: 3600 } },
        trustedDevices: { enabled: true },
      }),
    );
    const address = `alert-${crypto.randomUUID().slice(0, 8)}@demo.test`;
    const token = await aSession({ sub: "lena", sid: "l-1", email: address });
    // A page in German, from Berlin: the user's object remembers the language and the time zone.
    const page = await send(`${base}/__stepgate/enroll`, {
      headers: { Accept: "text/html", Cookie: `portal_session=${token}; __Host-stepgate-lang=de` },
      cf: { timezone: "Europe/Berlin" },
    } as RequestInit);
    expect(page.status).toBe(200);
    const { backupCodes } = await enrollTotpViaApi(base, token);

    // The login step-up, answered with "trust this device", from a phone in Berlin.
    const from = { cf: { city: "Berlin", country: "DE", asn: 3320 } };
    const headers = { Cookie: `portal_session=${token}`, "Content-Type": "application/json", "User-Agent": ANDROID_CHROME };
    const stopped = await send(`${base}/echo/api-call`, { method: "POST", headers, body: "{}", ...from } as RequestInit);
    expect(stopped.status).toBe(401);
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const verified = await send(`${base}/__stepgate/api/challenges/${challengeId}/verify`, {
      method: "POST",
      headers,
      body: JSON.stringify({ factor: "backup_code", code: backupCodes[0], trustDevice: true }),
      ...from,
    } as RequestInit);
    expect(verified.status).toBe(200);
    const trail = (await userState(env, tenantId, "lena").audit(20, null)) as unknown as AuditEntry[];
    const trusted = trail.find((entry) => entry.type === "device.trusted")!;
    // The user's object publishes its records (within half a second when deployed).
    await runDurableObjectAlarm(userState(env, tenantId, "lena"));

    const subject = "Acme: Gerät als vertrauenswürdig festgelegt";
    const alert = async () => (await mailbox()).find((m) => m.to.includes(address) && m.subject === subject);
    await until(async () => (await alert()) !== undefined, "the alert in the mailbox");
    const mail = (await alert())!;
    expect(mail.from).toContain("security@acme.test");
    const text = mail.text.replace(/\r\n/g, "\n");
    expect(text).toContain(
      "Ein Browser wurde für Ihr Acme-Konto als vertrauenswürdig festgelegt: Auf ihm entfallen für eine Weile einige Verifizierungen.\nGerät: Chrome, Android\n",
    );
    const berlin = new Intl.DateTimeFormat("de", { timeZone: "Europe/Berlin", dateStyle: "medium", timeStyle: "short" }).format(new Date(trusted.at));
    expect(text).toContain(`\nWann: ${berlin} (Europe/Berlin)\nWo: Berlin, Deutschland\n`);
    expect(text).toContain(`\nWenn Sie das waren, ist nichts zu tun.\nWenn Sie es nicht waren, holen Sie sich sofort Hilfe: ${SUPPORT}\n`);
    expect(text).toContain("Diese Nachricht enthält keinen Anmeldelink und keinen Code. Acme wird Sie niemals nach einem Code fragen.");
    // The tenant's help page is the one link; no code, no way to sign in.
    expect(text.match(/https?:\/\/[^\s"]+/g)).toEqual([SUPPORT]);
    // The factor the user added was told of too, in German.
    await until(async () => (await mailbox()).some((m) => m.to.includes(address) && m.subject === "Acme: Faktor hinzugefügt"), "the factor added alert");
  });
});
