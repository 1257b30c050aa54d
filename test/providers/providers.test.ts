import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { decodeJwt } from "jose";
import { userState } from "../../src/state/user";
import { kvKeys } from "../../src/config/kv-keys";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";
import { sendSmtpEmail } from "../../src/providers/smtp";
import { codeIn, mailbox, outbox, providerRequests } from "../support/outbox";
import { postJson } from "../support/step-up";

const SID = `AC${"a1".repeat(16)}`;

const twilioPolicy = (authToken: unknown = { ref: "TENANT_TEST_TWILIO_TOKEN" }) =>
  aPolicy({
    factors: { sms: { enabled: true, provider: "twilio", twilio: { accountSid: SID, authToken, from: "+15005550006", apiBaseUrl: env.TEST_ORIGIN } } } as never,
  });

async function enrollPhone(base: string, phone: string, sub = `u-${crypto.randomUUID().slice(0, 6)}`) {
  const token = await aSession({ sub });
  return { token, response: await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone }) };
}

describe("Twilio", () => {
  it("posts the documented request: account URL, basic auth, form body with To, From and Body", async () => {
    const { base } = await aTenant(twilioPolicy("twilio-secret-token"));
    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    const { token, response } = await enrollPhone(base, phone);
    expect(response.status).toBe(201);
    const request = (await providerRequests()).reverse().find((r) => new URLSearchParams(r.body).get("To") === phone)!;
    expect(request.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request.headers.authorization).toBe(`Basic ${btoa(`${SID}:twilio-secret-token`)}`);
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(request.body);
    expect(form.get("From")).toBe("+15005550006");
    const { enrollmentId } = await response.json<{ enrollmentId: string }>();
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: codeIn(form.get("Body")!) });
    expect(confirmed.status).toBe(200);
  });

  it.each([
    ["+14155550100", 422, "recipient_refused"],
    ["+14155550101", 502, "delivery_misconfigured"],
    ["+14155550102", 503, "delivery_busy"],
  ])("maps Twilio's answer for %s to %i %s, and leaves no cooldown behind", async (phone, status, code) => {
    const { base } = await aTenant(twilioPolicy("twilio-secret-token"));
    const errors = expectErrorLogs();
    const { token, response } = await enrollPhone(base, phone);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ code });
    // The undelivered code was withdrawn: asking again at once is not refused as too soon.
    const { tenantId } = { tenantId: new URL(base).hostname.split(".")[0]! };
    const pending = await runInDurableObject(
      userState(env, tenantId, (await decodeJwt(token)).sub!),
      async (_o, state) => state.storage.sql.exec<{ id: string }>("SELECT id FROM factors WHERE status = 'pending'").one().id,
    );
    const again = await postJson(`${base}/__stepgate/api/enroll/sms/resend`, token, { enrollmentId: pending });
    expect(again.status).toBe(status);
    expect(await again.json()).toMatchObject({ code });
    expect(errors).toHaveBeenCalledWith("stepgate: twilio refused", expect.any(Number), expect.any(Number), expect.any(String));
  });

  it("refuses to use another tenant's secret named in a policy written straight to KV", async () => {
    const { base } = await aTenant(twilioPolicy({ ref: "TENANT_DEMO_JWT_SECRET" }));
    const { response } = await enrollPhone(base, "+14155552671");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "credential_unavailable" });
    expect((await providerRequests()).some((r) => r.headers.authorization?.includes(btoa(`${SID}:test-demo-jwt-secret`)))).toBe(false);
  });
});

describe("email over SMTP", () => {
  it("delivers the code to a real SMTP server", async () => {
    const { base } = await aTenant(
      aPolicy({
        factors: {
          email: { enabled: true, provider: "smtp", host: "127.0.0.1", port: Number(env.SMTP_PORT), secure: false, from: "Acme Security <security@acme.test>" },
        } as never,
      }),
    );
    const address = `smtp-${crypto.randomUUID().slice(0, 8)}@demo.test`;
    const token = await aSession({ sub: address });
    const started = await postJson(`${base}/__stepgate/api/enroll/email`, token, { email: address });
    expect(started.status).toBe(201);
    const message = (await mailbox()).find((m) => m.to.includes(address));
    expect(message).toBeDefined();
    expect(message!.from).toContain("security@acme.test");
    expect(message!.subject).toMatch(/verification code: \d{6}$/);
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/email/confirm`, token, { enrollmentId, code: codeIn(message!.text) });
    expect(confirmed.status).toBe(200);
  });

  it("logs in to an SMTP server that requires authentication", async () => {
    const { base } = await aTenant(
      aPolicy({
        factors: {
          email: {
            enabled: true,
            provider: "smtp",
            host: "127.0.0.1",
            port: Number(env.SMTP_AUTH_PORT),
            from: "s@acme.test",
            username: "stepgate",
            password: "smtp-pass",
          },
        } as never,
      }),
    );
    const address = `auth-${crypto.randomUUID().slice(0, 8)}@demo.test`;
    const response = await postJson(`${base}/__stepgate/api/enroll/email`, await aSession(), { email: address });
    expect(response.status).toBe(201);
    expect((await mailbox()).some((m) => m.to.includes(address))).toBe(true);
  });

  it("hands the SMTP conversation nothing that would add a recipient, a command or a header", async () => {
    const settings = { host: "127.0.0.1", port: Number(env.SMTP_PORT), secure: false, from: "Acme Security <security@acme.test>" };
    const tag = crypto.randomUUID().slice(0, 8);
    const [owner, intruder] = [`owner-${tag}@demo.test`, `intruder-${tag}@demo.test`];
    const errors = expectErrorLogs();
    const refused = [
      () => sendSmtpEmail(settings, `${owner}>\r\nRCPT TO:<${intruder}`, "Alert", "text"),
      () => sendSmtpEmail(settings, `${owner}, ${intruder}`, "Alert", "text"),
      () => sendSmtpEmail(settings, `Owner <${owner}>`, "Alert", "text"),
      () => sendSmtpEmail(settings, owner, `Alert\r\nBcc: ${intruder}`, "text"),
      () => sendSmtpEmail({ ...settings, from: `security@acme.test>\r\nRCPT TO:<${intruder}` }, owner, "Alert", "text"),
      () => sendSmtpEmail({ ...settings, from: `Acme\r\nBcc: ${intruder} <security@acme.test>` }, owner, "Alert", "text"),
    ];
    for (const send of refused) await expect(send()).rejects.toMatchObject({ status: 502, code: "delivery_failed" });
    // Each refused before a connection was made (none failed at the server), …
    expect(errors.mock.calls).toEqual(refused.map(() => ["stepgate: smtp refused a recipient, sender or subject that is not one plain value"]));
    // … so the server saw none of them; a plain one still arrives, to its one recipient.
    await sendSmtpEmail(settings, owner, "Alert", "text");
    const got = (await mailbox()).filter((m) => m.to.includes(owner) || m.to.includes(intruder));
    expect(got.map((m) => [m.to, m.subject])).toEqual([[owner, "Alert"]]);
  });

  it("answers 502 when the SMTP server cannot be reached", async () => {
    const port = Number(new URL(env.DEAD_ORIGIN).port);
    const { base } = await aTenant(aPolicy({ factors: { email: { enabled: true, provider: "smtp", host: "127.0.0.1", port, from: "s@acme.test" } } as never }));
    const errors = expectErrorLogs();
    const response = await postJson(`${base}/__stepgate/api/enroll/email`, await aSession(), { email: "x@demo.test" });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: "delivery_failed" });
    expect(errors).toHaveBeenCalledWith("stepgate: smtp delivery failed", "127.0.0.1", expect.any(Error));
  });
});

describe("email through Resend", () => {
  it("posts the message with the bearer key", async () => {
    const { base } = await aTenant(
      aPolicy({ factors: { email: { enabled: true, provider: "resend", apiKey: "re_test_key", from: "s@acme.test", apiBaseUrl: env.TEST_ORIGIN } } as never }),
    );
    const address = `resend-${crypto.randomUUID().slice(0, 8)}@demo.test`;
    const response = await postJson(`${base}/__stepgate/api/enroll/email`, await aSession(), { email: address });
    expect(response.status).toBe(201);
    const request = (await providerRequests()).find((r) => r.path === "/emails" && r.body.includes(address))!;
    expect(request.headers.authorization).toBe("Bearer re_test_key");
    expect(JSON.parse(request.body)).toMatchObject({ from: "s@acme.test", to: [address] });
  });

  it("maps a refused key to 502 delivery_misconfigured", async () => {
    const { base } = await aTenant(
      aPolicy({ factors: { email: { enabled: true, provider: "resend", apiKey: "re_wrong", from: "s@acme.test", apiBaseUrl: env.TEST_ORIGIN } } as never }),
    );
    const errors = expectErrorLogs();
    const response = await postJson(`${base}/__stepgate/api/enroll/email`, await aSession(), { email: "y@demo.test" });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: "delivery_misconfigured" });
    expect(errors).toHaveBeenCalledWith("stepgate: resend refused", 401, expect.stringContaining("API key is invalid"));
  });
});

describe("provider credentials", () => {
  it("seals a plain credential on PUT, never returns it, and still uses it", async () => {
    const { base, tenantId } = await aTenant(twilioPolicy("twilio-secret-token"));
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const put = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(twilioPolicy("rotated-secret-token")),
    });
    expect(put.status).toBe(200);
    const stored = (await env.POLICY.get(kvKeys.policy(tenantId)))!;
    expect(stored).not.toContain("rotated-secret-token");
    expect(JSON.parse(stored).factors.sms.twilio.authToken.sealed).toMatch(/^v1\.t2\./);
    const shown = await (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).text();
    expect(shown).not.toContain("rotated-secret-token");

    const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
    expect((await enrollPhone(base, phone)).response.status).toBe(201);
    const request = (await providerRequests()).reverse().find((r) => new URLSearchParams(r.body).get("To") === phone)!;
    expect(request.headers.authorization).toBe(`Basic ${btoa(`${SID}:rotated-secret-token`)}`);
  });

  it.each([["STEPGATE_SECRET_KEYS"], ["TENANT_DEMO_JWT_SECRET"]])("refuses the credential reference %s, which is not this tenant's", async (ref) => {
    const { base } = await aTenant();
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const put = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(twilioPolicy({ ref })),
    });
    expect(put.status).toBe(422);
    expect((await put.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain("#/factors/sms/twilio/authToken/ref");
  });

  it("accepts a reference to this tenant's own secret", async () => {
    const { base, tenantId } = await aTenant();
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const ref = `TENANT_${tenantId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_TWILIO_TOKEN`;
    const put = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(twilioPolicy({ ref })),
    });
    expect(put.status).toBe(200);
  });

  it("refuses a tenant name with a line break, which would reach email headers", async () => {
    const { base } = await aTenant();
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const put = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(aPolicy({ branding: { name: "Acme\r\nBcc: evil@evil.test" } })),
    });
    expect(put.status).toBe(422);
    expect((await put.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain("#/branding/name");
  });

  it("lists development texts in the outbox with their recipient", async () => {
    const { base } = await aTenant(aPolicy({ factors: { sms: { enabled: true } } as never }));
    await enrollPhone(base, "+14155552671");
    expect((await outbox(base))[0]!.to).toBe("+14155552671");
  });
});
