import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { checkGrant, issueGrant, ONCE_GRANT_TTL_SECONDS, type GrantSubject } from "../../src/gate/grant";
import { base64url, fromBase64url } from "../../src/lib/encoding";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";

const subject: GrantSubject = { tenantId: "acme", userId: "alice", sessionId: "s-1", operation: "withdraw" };
const now = Date.now();

describe("grant binding", () => {
  it("accepts a grant for exactly its tenant, user, session and operation", async () => {
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    expect(await checkGrant(env, token, subject, now)).toMatchObject({ once: false });
  });

  it.each([
    ["another tenant", { tenantId: "globex" }],
    ["another user", { userId: "mallory" }],
    ["another session", { sessionId: "s-2" }],
    ["another operation", { operation: "transfer" }],
  ])("refuses a grant moved to %s", async (_label, change) => {
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    expect(await checkGrant(env, token, { ...subject, ...change }, now)).toBeNull();
  });

  it("expires after maxAge", async () => {
    const { token, expiresAt } = await issueGrant(env, subject, { maxAgeSeconds: 60 }, now);
    expect(expiresAt).toBe((Math.floor(now / 1000) + 60) * 1000);
    expect(await checkGrant(env, token, subject, expiresAt - 1000)).not.toBeNull();
    expect(await checkGrant(env, token, subject, expiresAt)).toBeNull();
  });

  it("makes maxAge 0 a short single-use grant", async () => {
    const { token, once, expiresAt } = await issueGrant(env, subject, { maxAgeSeconds: 0 }, now);
    expect(once).toBe(true);
    expect(expiresAt - now).toBeLessThanOrEqual(ONCE_GRANT_TTL_SECONDS * 1000);
    expect(await checkGrant(env, token, subject, now)).toMatchObject({ once: true });
  });

  it("refuses a grant whose payload, header or signature was changed", async () => {
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
    const forgedPayload = base64url(new TextEncoder().encode(JSON.stringify({ ...claims, sub: "mallory" })));
    const noneHeader = base64url(new TextEncoder().encode(JSON.stringify({ alg: "none", typ: "stepgate-grant+jwt", kid: "t2" })));
    const unknownKid = base64url(new TextEncoder().encode(JSON.stringify({ alg: "HS256", typ: "stepgate-grant+jwt", kid: "gone" })));
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    for (const forged of [
      `${header}.${forgedPayload}.${signature}`,
      `${noneHeader}.${payload}.`,
      `${unknownKid}.${payload}.${signature}`,
      `${header}.${payload}.${flipped}`,
      `${header}.${payload}`,
      "",
    ]) {
      expect(await checkGrant(env, forged, { ...subject, userId: "mallory" }, now)).toBeNull();
      expect(await checkGrant(env, forged, subject, now)).toBeNull();
    }
  });

  it("still accepts grants signed with an older key that is configured", async () => {
    const older = { ...env, STEPGATE_SECRET_KEYS: `t1:${"B".repeat(43)}` } as Env;
    const { token } = await issueGrant(older, subject, { maxAgeSeconds: 300 }, now);
    expect(await checkGrant(env, token, subject, now)).not.toBeNull();
    const unknown = { ...env, STEPGATE_SECRET_KEYS: `t9:${"C".repeat(43)}` } as Env;
    expect(await checkGrant(unknown, token, subject, now)).toBeNull();
  });
});

describe("grants at the gate", () => {
  it("refuses another user's grant, and a grant after the portal session changed", async () => {
    const { base, tenantId } = await aTenant(
      aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 300, bindRequest: false } } }),
    );
    const alice = await aSession({ sub: "alice", sid: "a-1" });
    const { grant } = await enrollTotpViaApi(base, alice, undefined);
    expect(grant).toBeUndefined();
    const { token } = await issueGrant(env, { tenantId, userId: "alice", sessionId: "a-1", operation: "withdraw" }, { maxAgeSeconds: 300 }, Date.now());
    const post = (session: string) =>
      send(`${base}/echo/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${session}`, "StepGate-Grant": token }, body: "{}" });
    expect((await post(alice)).status).toBe(200);
    expect((await post(await aSession({ sub: "alice", sid: "a-2" }))).status).toBe(401);
    expect((await post(await aSession({ sub: "mallory", sid: "a-1" }))).status).not.toBe(200);
  });

  it("refuses a long-lived grant from another tenant", async () => {
    const routes = { operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 600, bindRequest: false } } };
    const home = await aTenant(aPolicy({ enforcement: "required", ...routes }));
    const other = await aTenant(aPolicy({ enforcement: "required", ...routes }));
    const token = await aSession({ sub: "amy", sid: "s" });
    await enrollTotpViaApi(other.base, token);
    const { token: grant } = await issueGrant(
      env,
      { tenantId: home.tenantId, userId: "amy", sessionId: "s", operation: "withdraw" },
      { maxAgeSeconds: 600 },
      Date.now(),
    );
    const response = await send(`${other.base}/echo/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "StepGate-Grant": grant },
      body: "{}",
    });
    expect(response.status).toBe(401);
  });
});
