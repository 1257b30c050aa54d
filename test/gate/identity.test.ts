import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { importJWK, SignJWT } from "jose";
import { IdentitySchema } from "../../src/config/identity-schema";
import { MAX_KEY_SETS, readIdentity } from "../../src/gate/identity";
import { userState } from "../../src/state/user";
import { aJwksSession, aPolicy, aSession, aTenant, send } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";

/**
 * With `enforcement: "required"` an identified user is asked to enrol (401
 * enrollment_required) and an anonymous one is refused (401 session_required), so the code
 * tells which identity the worker read from the token.
 */
async function codeFor(base: string, headers: Record<string, string>): Promise<string> {
  const response = await send(`${base}/api/withdraw`, { method: "POST", headers, body: "{}" });
  return (await response.json<{ code: string }>()).code;
}

const requiredPolicy = (identity: object) => aPolicy({ enforcement: "required", identity: identity as never });

describe("identity from an HS256 portal session", () => {
  const hs256 = {
    algorithm: "HS256",
    secretRef: "TENANT_DEMO_JWT_SECRET",
    cookie: "portal_session",
    header: "X-Portal-Token",
    issuer: "demo-portal",
    audience: "portal",
  };

  it("reads the user from a valid cookie", async () => {
    const { base } = await aTenant(requiredPolicy(hs256));
    const token = await aSession({ iss: "demo-portal", aud: "portal" });
    expect(await codeFor(base, { Cookie: `other=1; portal_session=${token}` })).toBe("enrollment_required");
  });

  it("reads the user from the configured header, with or without Bearer", async () => {
    const { base } = await aTenant(requiredPolicy(hs256));
    const token = await aSession({ iss: "demo-portal", aud: "portal" });
    expect(await codeFor(base, { "X-Portal-Token": token })).toBe("enrollment_required");
    expect(await codeFor(base, { "X-Portal-Token": `Bearer ${token}` })).toBe("enrollment_required");
  });

  it.each([
    ["expired", () => aSession({ iss: "demo-portal", aud: "portal" }, undefined, Math.floor(Date.now() / 1000) - 60)],
    ["forged (other secret)", () => aSession({ iss: "demo-portal", aud: "portal" }, "not-the-secret")],
    ["from another issuer", () => aSession({ iss: "evil", aud: "portal" })],
    ["for another audience", () => aSession({ iss: "demo-portal", aud: "elsewhere" })],
    ["without a user id", () => aSession({ iss: "demo-portal", aud: "portal", sub: undefined })],
    ["garbage", async () => "not.a.jwt"],
    ["unsigned (alg none)", async () => `${btoa('{"alg":"none"}')}.${btoa('{"sub":"alice","iss":"demo-portal","aud":"portal"}')}.`],
  ])("treats a %s token as anonymous", async (_label, token) => {
    const { base } = await aTenant(requiredPolicy(hs256));
    expect(await codeFor(base, { Cookie: `portal_session=${await token()}` })).toBe("session_required");
  });

  it("answers 503 when the named secret is not set", async () => {
    const { base } = await aTenant(requiredPolicy({ ...hs256, secretRef: "TENANT_MISSING" }));
    const response = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "identity_misconfigured" });
  });
});

describe("the session's email claim", () => {
  /** The email the user's object noted from the session, after one protected request with `email`. */
  async function notedEmail(base: string, tenantId: string, sub: string, email: unknown): Promise<string | null> {
    expect(await codeFor(base, { Cookie: `portal_session=${await aSession({ sub, email } as never)}` })).toBe("enrollment_required");
    return runInDurableObject(
      userState(env, tenantId, sub),
      (_, state) => state.storage.sql.exec<{ email: string | null }>("SELECT email FROM profile").one().email,
    );
  }

  it("is noted when it is one plain address, and otherwise ignored without failing the request", async () => {
    const { base, tenantId } = await aTenant(requiredPolicy({ algorithm: "HS256", secretRef: "TENANT_DEMO_JWT_SECRET", cookie: "portal_session" }));
    // Alerts go to it: a second recipient, a header or a display name in it must never reach a provider.
    const notAddresses = [
      "owner@home.test>\r\nRCPT TO:<eve@evil.test",
      "owner@home.test\nBcc: eve@evil.test",
      "Owner <owner@home.test>",
      "owner@home.test, eve@evil.test",
      "owner@home.test;eve@evil.test",
      "own er@home.test",
      `${"o".repeat(65)}@home.test`,
      `owner@${"h".repeat(250)}.test`,
      "owner",
      42,
    ];
    for (const [i, claim] of notAddresses.entries()) expect(await notedEmail(base, tenantId, `claim-${i}`, claim), String(claim)).toBeNull();
    expect(await notedEmail(base, tenantId, "kept", "Owner.Name+2fa@home.test")).toBe("Owner.Name+2fa@home.test");
    // A later session whose claim is no address leaves the one noted before.
    expect(await notedEmail(base, tenantId, "kept", "owner@home.test>\r\nRCPT TO:<eve@evil.test")).toBe("Owner.Name+2fa@home.test");
  });
});

describe("identity from a JWKS-signed session", () => {
  const jwks = (algorithm: string) => ({
    algorithm,
    jwksUrl: `${env.TEST_ORIGIN}/.well-known/jwks.json`,
    header: "Authorization",
    issuer: "https://idp.test",
    audience: "portal",
  });

  it("verifies twenty sessions arriving together while the key set is not yet cached", async () => {
    // A fresh URL (query) so this isolate has no cached key set for it.
    const config = { ...jwks("RS256"), algorithm: "RS256" as const, jwksUrl: `${env.TEST_ORIGIN}/.well-known/jwks.json?fresh=${crypto.randomUUID()}` };
    const { base } = await aTenant(aPolicy({ identity: config, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => aJwksSession("rsa", { sub: `j${i}` }, { issuer: "https://idp.test", audience: "portal" })),
    );
    const responses = await Promise.all(
      tokens.map((token) =>
        send(`${base}/echo/withdraw`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: "{}" }),
      ),
    );
    // Each user is recognised (and asked to step up), none refused as anonymous or failed.
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it.each([
    ["RS256", "rsa"],
    ["ES256", "ec"],
  ] as const)("verifies %s tokens with the published keys", async (algorithm, kind) => {
    const { base } = await aTenant(requiredPolicy(jwks(algorithm)));
    const token = await aJwksSession(kind, {}, { issuer: "https://idp.test", audience: "portal" });
    expect(await codeFor(base, { Authorization: `Bearer ${token}` })).toBe("enrollment_required");
  });

  it("refuses a token signed with the other algorithm than the policy names", async () => {
    const { base } = await aTenant(requiredPolicy(jwks("RS256")));
    const token = await aJwksSession("ec", {}, { issuer: "https://idp.test", audience: "portal" });
    expect(await codeFor(base, { Authorization: `Bearer ${token}` })).toBe("session_required");
  });

  it("refuses a JWKS token with the wrong issuer or audience", async () => {
    const { base } = await aTenant(requiredPolicy(jwks("RS256")));
    const wrongIssuer = await aJwksSession("rsa", {}, { issuer: "https://other.test", audience: "portal" });
    const wrongAudience = await aJwksSession("rsa", {}, { issuer: "https://idp.test", audience: "other" });
    expect(await codeFor(base, { Authorization: `Bearer ${wrongIssuer}` })).toBe("session_required");
    expect(await codeFor(base, { Authorization: `Bearer ${wrongAudience}` })).toBe("session_required");
  });

  it("fetches the key set once and reuses it across requests", async () => {
    const jwksUrl = `${env.TEST_ORIGIN}/.well-known/jwks.json?cache-test=${crypto.randomUUID()}`;
    const { base } = await aTenant(requiredPolicy({ ...jwks("RS256"), jwksUrl }));
    const token = await aJwksSession("rsa", {}, { issuer: "https://idp.test", audience: "portal" });
    for (let i = 0; i < 5; i++) expect(await codeFor(base, { Authorization: `Bearer ${token}` })).toBe("enrollment_required");
    const fetches = await (await fetch(`${env.TEST_ORIGIN}/__fixture/jwks-fetches?url=${encodeURIComponent(jwksUrl)}`)).json<{ count: number }>();
    expect(fetches.count).toBe(1);
  });

  it("keeps a bounded number of key sets, so the URLs policies name cannot grow an isolate's memory", async () => {
    const kept = `${env.TEST_ORIGIN}/.well-known/jwks.json?bound-test=${crypto.randomUUID()}`;
    const configFor = (jwksUrl: string) => IdentitySchema.parse({ ...jwks("RS256"), jwksUrl });
    // Each read a token of its own: a token verified once is remembered for a minute, key set or not.
    const read = async (jwksUrl: string, sub: string) => {
      const token = await aJwksSession("rsa", { sub }, { issuer: "https://idp.test", audience: "portal" });
      return readIdentity(new Request("https://portal.test/", { headers: { Authorization: `Bearer ${token}` } }), configFor(jwksUrl), env);
    };
    const fetchesOfKept = async () =>
      (await (await fetch(`${env.TEST_ORIGIN}/__fixture/jwks-fetches?url=${encodeURIComponent(kept)}`)).json<{ count: number }>()).count;
    expect(await read(kept, "first")).toMatchObject({ userId: "first" });
    expect(await read(kept, "second")).toMatchObject({ userId: "second" });
    expect(await fetchesOfKept()).toBe(1);
    // As many other URLs as the isolate keeps (down: each read fails with a 503, the key set is kept all the same).
    const errors = expectErrorLogs();
    for (let i = 0; i < MAX_KEY_SETS; i += 100) {
      const reads = Array.from({ length: 100 }, (_, j) => read(`${env.DEAD_ORIGIN}/jwks.json?n=${i + j}`, "filler").catch((error: unknown) => error));
      for (const outcome of await Promise.all(reads)) expect(outcome).toMatchObject({ status: 503 });
    }
    expect(errors).toHaveBeenCalledWith("stepgate: identity keys unavailable", expect.any(Error));
    // The first URL's key set was forgotten: read again, its document is fetched again.
    expect(await read(kept, "third")).toMatchObject({ userId: "third" });
    expect(await fetchesOfKept()).toBe(2);
  });

  it("refuses a JWKS token without an expiry", async () => {
    const { base } = await aTenant(requiredPolicy(jwks("ES256")));
    const jwk = JSON.parse(env.TEST_EC_JWK);
    const token = await new SignJWT({ sub: "bob", sid: "s" })
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
      .setIssuer("https://idp.test")
      .setAudience("portal")
      .sign(await importJWK(jwk, "ES256"));
    expect(await codeFor(base, { Authorization: `Bearer ${token}` })).toBe("session_required");
  });

  it("answers 503 when the key set cannot be fetched", async () => {
    const { base } = await aTenant(requiredPolicy({ ...jwks("RS256"), jwksUrl: `${env.DEAD_ORIGIN}/jwks.json` }));
    const token = await aJwksSession("rsa", {}, { issuer: "https://idp.test", audience: "portal" });
    const errors = expectErrorLogs();
    const response = await send(`${base}/api/withdraw`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "identity_unavailable" });
    expect(errors).toHaveBeenCalledWith("stepgate: identity keys unavailable", expect.any(Error));
  });
});
