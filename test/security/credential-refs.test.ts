/**
 * The review's secret exfiltration, end to end: a key with only `policy:write` on tenant `demo`
 * points the Twilio token at the portal's session key (TENANT_DEMO_JWT_SECRET) and the API base
 * at a listener. Through the admin API it is a 422 naming the field; put in KV by hand, sending
 * a code is a 503 and the listener never sees the secret. Tenant `demo`'s own names still work.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { kvKeys } from "../../src/config/kv-keys";
import type { PolicyInput } from "../../src/config/policy-schema";
import { aTenantKey, keyHeaders } from "../support/admin";
import { aPolicy, aSession, DEMO_JWT_SECRET, send } from "../support/builders";
import { providerRequests } from "../support/outbox";
import { postJson } from "../support/step-up";

const SID = `AC${"b2".repeat(16)}`;
/** What vitest.config.ts binds to TENANT_DEMO_TWILIO_TOKEN. */
const DEMO_TWILIO_TOKEN = "test-demo-twilio-token";

/** Tenant `demo` itself (the review's case) on a fresh hostname, so no isolate cache is shared. */
async function theDemoTenant(policy: PolicyInput): Promise<string> {
  const host = `demo-${crypto.randomUUID().slice(0, 8)}.portal.test`;
  await env.POLICY.put(kvKeys.host(host), "demo");
  await env.POLICY.put(kvKeys.policy("demo"), JSON.stringify(policy));
  return `https://${host}`;
}

const twilioWith = (authToken: unknown) => ({
  factors: { sms: { enabled: true, provider: "twilio", twilio: { accountSid: SID, authToken, from: "+15005550006", apiBaseUrl: env.TEST_ORIGIN } } },
});

const phoneNumber = () => `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;

/** Every request the Twilio stand-in received carrying `secret` in its Basic credentials. */
async function requestsCarrying(secret: string) {
  return (await providerRequests()).filter((r) => r.headers.authorization === `Basic ${btoa(`${SID}:${secret}`)}`);
}

describe("a provider credential naming the portal's session key", () => {
  it("is refused by PATCH with a 422 naming the field and the one name allowed", async () => {
    const base = await theDemoTenant(aPolicy());
    const { key } = await aTenantKey(base, ["policy:write"]);
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: keyHeaders(key, { "If-Match": "*" }),
      body: JSON.stringify(twilioWith({ ref: "TENANT_DEMO_JWT_SECRET" })),
    });
    expect(response.status).toBe(422);
    const body = await response.json<{ errors: Array<{ pointer: string; detail: string }> }>();
    expect(body.errors).toEqual([{ pointer: "#/factors/sms/twilio/authToken/ref", detail: expect.stringContaining("TENANT_DEMO_TWILIO_TOKEN") }]);
  });

  it.each([
    ["another tenant whose id extends this one", "TENANT_DEMO_EU_TWILIO_TOKEN"],
    ["this tenant's secret for another provider", "TENANT_DEMO_SMTP_PASSWORD"],
  ])("is refused by PATCH when it names %s", async (_label, ref) => {
    const base = await theDemoTenant(aPolicy());
    const { key } = await aTenantKey(base, ["policy:write"]);
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: keyHeaders(key, { "If-Match": "*" }),
      body: JSON.stringify(twilioWith({ ref })),
    });
    expect(response.status).toBe(422);
  });

  it("put in KV by hand, makes sending a code a 503 that never sends the secret", async () => {
    const base = await theDemoTenant(aPolicy(twilioWith({ ref: "TENANT_DEMO_JWT_SECRET" }) as never));
    const response = await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession({ sub: "victim" }), { phone: phoneNumber() });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "credential_unavailable" });
    expect(await requestsCarrying(DEMO_JWT_SECRET)).toEqual([]);
  });

  it("sends tenant demo's own Twilio secret, named exactly, where the policy says", async () => {
    const base = await theDemoTenant(aPolicy(twilioWith({ ref: "TENANT_DEMO_TWILIO_TOKEN" }) as never));
    const response = await postJson(`${base}/__stepgate/api/enroll/sms`, await aSession({ sub: `u-${crypto.randomUUID().slice(0, 6)}` }), {
      phone: phoneNumber(),
    });
    expect(response.status).toBe(201);
    expect((await requestsCarrying(DEMO_TWILIO_TOKEN)).length).toBeGreaterThan(0);
  });
});

describe("a session key naming a provider credential", () => {
  it("is refused by PUT with a 422 naming identity.secretRef", async () => {
    const base = await theDemoTenant(aPolicy());
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PUT",
      headers: keyHeaders((await aTenantKey(base, ["policy:write"])).key, { "If-Match": "*" }),
      body: JSON.stringify(aPolicy({ identity: { algorithm: "HS256", secretRef: "TENANT_DEMO_TWILIO_TOKEN", cookie: "portal_session" } })),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ pointer: "#/identity/secretRef", detail: expect.stringContaining("TENANT_DEMO_JWT_SECRET") }] });
  });

  it("put in KV by hand, is a 503 before the secret is read: a session signed with the Twilio token is not accepted", async () => {
    const base = await theDemoTenant(
      aPolicy({ enforcement: "required", identity: { algorithm: "HS256", secretRef: "TENANT_DEMO_TWILIO_TOKEN", cookie: "portal_session" } }),
    );
    const response = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${await aSession({}, DEMO_TWILIO_TOKEN)}`, "Content-Type": "application/json" },
      body: '{"amount":1}',
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "identity_misconfigured" });
  });
});
