import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { codeIn, lastCodeTo, outbox, timePasses } from "../support/outbox";
import { challengeFor, postJson, verify } from "../support/step-up";

const PHONE = "+14155552671";
const policy = (overrides: object = {}) =>
  aPolicy({
    enforcement: "required",
    branding: { name: "Acme Brokers" },
    factors: { sms: { enabled: true }, email: { enabled: true } },
    operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
    ...overrides,
  });

async function enrollPhone(base: string, token: string, phone = "+1 (415) 555-2671") {
  const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone });
  expect(started.status).toBe(201);
  const { enrollmentId, destination } = await started.json<{ enrollmentId: string; destination: string }>();
  expect(destination).toBe("+1••••••2671");
  const code = await lastCodeTo(base, PHONE);
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code });
  expect(confirmed.status).toBe(200);
  return confirmed.json<{ backupCodes: string[] }>();
}

describe("enrolling a phone and an email address", () => {
  it("normalises the number to E.164, texts a code that carries only what it should, and confirms it", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "sam" });
    const { backupCodes } = await enrollPhone(base, token);
    expect(backupCodes).toHaveLength(10);
    const [message] = await outbox(base);
    expect(message).toMatchObject({ channel: "sms", to: PHONE, subject: null });
    expect(message!.text).toMatch(/^\d{6} is your Acme Brokers code\. It expires in 5 min\. Never share it\.$/);
    expect(message!.text).not.toMatch(/https?:|www\./);
  });

  it.each([["not a number"], ["555-2671"], ["+1 415 555"], ["+999 1234567"]])("refuses the phone number %j naming the field", async (phone) => {
    const { base } = await aTenant(policy());
    const response = await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession(), { phone });
    expect(response.status).toBe(400);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors[0]!.pointer).toBe("#/phone");
  });

  it("asks an enrolled user to verify before adding another factor, then adds the email without new backup codes", async () => {
    const { base, tenantId } = await aTenant(policy());
    await enrollPhone(base, await aSession({ sub: "tia", sid: "t-1" }));
    await timePasses(tenantId, "tia", 31_000);
    // A later session (enrolling marked the first one as freshly verified).
    const token = await aSession({ sub: "tia", sid: "t-2" });

    const refused = await postJson(`${base}/__stepgate/api/enroll/email`, token, { email: "Tia@Demo.test" });
    expect(refused.status).toBe(401);
    const { challengeId, operation } = await refused.json<{ challengeId: string; operation: string }>();
    expect(operation).toBe("manage_factors");
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, token, { factor: "sms" })).status).toBe(202);
    expect((await verify(base, token, challengeId, "sms", await lastCodeTo(base, PHONE))).status).toBe(200);

    const started = await postJson(`${base}/__stepgate/api/enroll/email`, token, { email: "Tia@Demo.test" });
    expect(started.status).toBe(201);
    const { enrollmentId, destination } = await started.json<{ enrollmentId: string; destination: string }>();
    expect(destination).toBe("t••@demo.test");
    const mail = (await outbox(base)).find((m) => m.channel === "email")!;
    expect(mail.to).toBe("tia@demo.test");
    expect(mail.subject).toMatch(/^Acme Brokers verification code: \d{6}$/);
    expect(mail.text).not.toMatch(/https?:/);
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/email/confirm`, token, { enrollmentId, code: codeIn(mail.text) });
    expect(await confirmed.json()).toEqual({ backupCodes: [] });

    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      factors: Array<{ kind: string; destination: string }>;
    }>();
    expect(me.factors.map((f) => [f.kind, f.destination])).toEqual([
      ["sms", "+1••••••2671"],
      ["email", "t••@demo.test"],
    ]);
  });
});

describe("answering a challenge with a sent code", () => {
  it("passes a step-up with a texted code and with an emailed code", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "uma", sid: "u-1" });
    await enrollPhone(base, token);
    await timePasses(tenantId, "uma", 31_000);
    await runInDurableObject(userState(env, tenantId, "uma"), async (_o, state) => {
      state.storage.sql.exec("INSERT INTO factors (id, kind, status, created_at, address) VALUES ('e1', 'email', 'active', ?, 'uma@demo.test')", Date.now());
    });

    const first = await challengeFor(`${base}/echo/withdraw`, token);
    const view = await (await send(`${base}/__stepgate/api/challenges/${first}`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      factors: string[];
      destinations: object;
    }>();
    expect(view.factors).toEqual(["sms", "email", "backup_code"]);
    expect(view.destinations).toEqual({ sms: "+1••••••2671", email: "u••@demo.test" });
    const sent = await postJson(`${base}/__stepgate/api/challenges/${first}/send`, token, { factor: "sms" });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toMatchObject({ destination: "+1••••••2671" });
    const smsText = (await outbox(base))[0]!.text;
    expect(smsText).toContain("to approve: withdrawal");
    expect((await verify(base, token, first, "sms", codeIn(smsText))).status).toBe(200);

    const second = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await postJson(`${base}/__stepgate/api/challenges/${second}/send`, token, { factor: "email" })).status).toBe(202);
    const mail = (await outbox(base)).find((m) => m.channel === "email")!;
    expect(mail.to).toBe("uma@demo.test");
    expect((await verify(base, token, second, "email", codeIn(mail.text))).status).toBe(200);
  });

  /** A user with a phone, past the enrolment's resend cooldown, and a code texted for a new challenge. */
  async function aTextedCode(sub: string) {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub });
    await enrollPhone(base, token);
    await timePasses(tenantId, sub, 31_000);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    return { base, tenantId, token, id, code: await lastCodeTo(base, PHONE) };
  }

  it("takes a code once, and never a code sent for another challenge", async () => {
    const { base, tenantId, token, id: first, code } = await aTextedCode("val");
    const second = await challengeFor(`${base}/echo/withdraw`, token);
    expect((await verify(base, token, second, "sms", code)).status).toBe(400);
    expect((await verify(base, token, first, "sms", code)).status).toBe(200);
    await timePasses(tenantId, "val", 60_000);
    expect((await verify(base, token, second, "sms", code)).status).toBe(400);
  });

  it("lets exactly one of eight racing answers with the same texted code through", async () => {
    const { base, token, id, code } = await aTextedCode("vic");
    const answers = await Promise.all(Array.from({ length: 8 }, () => verify(base, token, id, "sms", code)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    // The others find the code spent or the challenge answered: never a second grant.
    expect(statuses.filter((s) => s !== 200).every((s) => s === 400 || s === 404)).toBe(true);
  });

  it("replaces the old code with a new send, and refuses a send inside the cooldown", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "wes" });
    await enrollPhone(base, token);
    await timePasses(tenantId, "wes", 31_000);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const old = await lastCodeTo(base, PHONE);
    const tooSoon = await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    expect(tooSoon.status).toBe(429);
    expect(await tooSoon.json()).toMatchObject({ code: "resend_cooldown" });
    expect(Number(tooSoon.headers.get("Retry-After"))).toBeGreaterThan(0);

    await timePasses(tenantId, "wes", 31_000);
    expect((await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" })).status).toBe(202);
    const fresh = await lastCodeTo(base, PHONE);
    // (Two random 6-digit codes are equal once in a million runs; then this line would fail.)
    expect((await verify(base, token, id, "sms", old)).status).toBe(400);
    expect((await verify(base, token, id, "sms", fresh)).status).toBe(200);
  });

  it("kills a code after its wrong tries, and expires it", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "xia" });
    await enrollPhone(base, token);
    await timePasses(tenantId, "xia", 31_000);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const code = await lastCodeTo(base, PHONE);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 3; i++) expect((await verify(base, token, id, "sms", wrong)).status).toBe(400);
    expect((await verify(base, token, id, "sms", code)).status).toBe(400);

    await timePasses(tenantId, "xia", 31_000);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const next = await lastCodeTo(base, PHONE);
    await timePasses(tenantId, "xia", 301_000);
    expect((await verify(base, token, id, "sms", next)).status).toBe(400);
  });

  it("keeps only a keyed hash of a sent code", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "yan" });
    await enrollPhone(base, token);
    await timePasses(tenantId, "yan", 31_000);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const code = await lastCodeTo(base, PHONE);
    const stored = await runInDurableObject(userState(env, tenantId, "yan"), async (_o, state) => state.storage.sql.exec("SELECT * FROM sent_codes").toArray());
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(stored[0]!.hash).toMatch(/^t2:[0-9a-f]{64}$/);
  });
});

describe("send limits", () => {
  it("lets one of many parallel sends through the cooldown, also across challenges", async () => {
    const { base, tenantId } = await aTenant(policy());
    const token = await aSession({ sub: "zoe" });
    await enrollPhone(base, token);
    await timePasses(tenantId, "zoe", 31_000);
    const ids = await Promise.all(Array.from({ length: 8 }, () => challengeFor(`${base}/echo/withdraw`, token)));
    const results = await Promise.all(ids.map((id) => postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    expect(await refused[0]!.json()).toMatchObject({ code: "resend_cooldown" });
    expect((await outbox(base)).filter((m) => m.to === PHONE)).toHaveLength(2); // enrolment + one
  });

  it("stops a user's sends at the hourly cap", async () => {
    const { base, tenantId } = await aTenant(policy({ sendLimits: { perUserPerHour: 3 } }));
    const token = await aSession({ sub: "ziv" });
    await enrollPhone(base, token);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      await timePasses(tenantId, "ziv", 31_000);
      const id = await challengeFor(`${base}/echo/withdraw`, token);
      const response = await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
      statuses.push(response.status);
      if (response.status === 429) expect(await response.json()).toMatchObject({ code: "send_limit", scope: "user" });
    }
    expect(statuses).toEqual([202, 202, 429]);
  });

  it("caps sends from one IP across many users, and across the tenant", async () => {
    const { base } = await aTenant(policy({ sendLimits: { perIpPerHour: 2, perTenantPerHour: 3 } }));
    const statuses = async (ip: string, users: string[]) =>
      Promise.all(
        users.map(async (sub) => {
          const response = await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession({ sub }), { phone: PHONE }, { "CF-Connecting-IP": ip });
          return response.status;
        }),
      );
    const fromOneIp = await statuses("198.51.100.1", ["a1", "a2", "a3", "a4", "a5"]);
    expect(fromOneIp.filter((s) => s === 201)).toHaveLength(2);
    const fromAnother = await statuses("198.51.100.2", ["b1", "b2"]);
    expect(fromAnother.filter((s) => s === 201)).toHaveLength(1);
    const messages = await outbox(base);
    expect(messages).toHaveLength(3);
  });

  it("records every send in the user's audit trail", async () => {
    const { base } = await aTenant(policy());
    const token = await aSession({ sub: "abe" });
    await enrollPhone(base, token);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    await postJson(`${base}/__stepgate/api/challenges/${id}/send`, token, { factor: "sms" });
    const trail = await (await send(`${base}/__stepgate/admin/v1/audit?user=abe`, { headers: adminHeaders() })).json<{
      entries: Array<{ type: string; detail: object }>;
    }>();
    expect(trail.entries.find((e) => e.type === "code.sent")?.detail).toMatchObject({ factor: "sms", to: "+1••••••2671", purpose: "enroll" });
    expect(trail.entries.find((e) => e.type === "code.refused")?.detail).toMatchObject({ factor: "sms", reason: "cooling_down", purpose: "challenge" });
  });
});

describe("the dev outbox", () => {
  it("is not served, and does not deliver, outside development", async () => {
    const { default: worker } = await import("../../src");
    // A public origin: production refuses a policy naming the test origin on loopback.
    const { base } = await aTenant(policy({ origin: "https://portal.example" }));
    const production = { ...env, STEPGATE_ENV: "production" } as Env;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const listed = await worker.fetch(new Request(`${base}/__stepgate/dev/outbox`), production, ctx);
    expect(listed.status).toBe(404);
    const enroll = await worker.fetch(
      new Request(`${base}/__stepgate/api/enroll/sms`, {
        method: "POST",
        headers: { Cookie: `portal_session=${await aSession({ sub: "prod" })}`, "Content-Type": "application/json" },
        body: JSON.stringify({ phone: PHONE }),
      }),
      production,
      ctx,
    );
    expect(enroll.status).toBe(503);
    expect(await enroll.json()).toMatchObject({ code: "delivery_unavailable" });
  });
});
