/**
 * Attack probe (attack20): the portal session's email claim is the one alert address stepgate
 * never checked (factor addresses are validated and confirmed by a code). Alerts now send to it
 * over SMTP, where worker-mailer writes it verbatim into `RCPT TO:` and the `To:` header.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { until } from "../support/events";
import { mailbox } from "../support/outbox";
import { enrollTotpViaApi, postJson } from "../support/step-up";

describe("attack: a session email claim with line breaks", () => {
  it("never reaches SMTP as more than one recipient", async () => {
    const { base, tenantId } = await aTenant(
      aPolicy({
        branding: { name: "Acme" },
        factors: { email: { provider: "smtp", host: "127.0.0.1", port: Number(env.SMTP_PORT), secure: false, from: "security@acme.test" } } as never,
      }),
    );
    const tag = crypto.randomUUID().slice(0, 8);
    const owner = `owner-${tag}@demo.test`;
    const intruder = `intruder-${tag}@demo.test`;
    // A portal whose "email" claim carries what the user typed into a profile field.
    const token = await aSession({ sub: "cr", sid: "c-1", email: `${owner}>\r\nRCPT TO: <${intruder}` });
    // Through the gate: the user's object notes the session's email …
    await postJson(`${base}/wallet/withdraw`, token, { amount: 1 });
    // … and the alert of the first factor goes to it.
    await enrollTotpViaApi(base, token);
    await runDurableObjectAlarm(userState(env, tenantId, "cr"));
    // The first try desynchronises worker-mailer (it reads the second RCPT's 250 as DATA's answer); a retry gets through.
    await until(async () => (await mailbox()).some((m) => m.to.includes(owner) || m.to.includes(intruder)), "the alert", 8000).catch(() => {});
    const got = (await mailbox()).filter((m) => m.to.includes(owner) || m.to.includes(intruder));
    // Today the claim is written verbatim: the SMTP envelope gets a second recipient (seen with an
    // aiosmtpd handler printing `envelope.rcpt_tos`: [owner, intruder]) and the headers break,
    // the injected line ending up in the mail. Either no alert to such a claim, or one recipient:
    for (const mail of got) {
      expect(mail.to).toBe(owner);
      expect(mail.text).not.toContain(`RCPT TO: <${intruder}`);
    }
  });
});
