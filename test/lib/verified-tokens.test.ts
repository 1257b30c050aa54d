import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { checkGrant, issueGrant } from "../../src/gate/grant";
import { recallVerified, rememberVerified, VERIFIED_TOKEN_MS } from "../../src/lib/verified-tokens";

describe("the memory of verified tokens", () => {
  it("reuses a verification for at most a minute, never past the token's expiry, only in the same context", () => {
    rememberVerified("ctx", "t1", { exp: 1 }, 0); // expires at 1 s
    expect(recallVerified("ctx", "t1", 999)).not.toBeNull();
    expect(recallVerified("ctx", "t1", 1_000)).toBeNull();
    expect(recallVerified("other", "t1", 10)).toBeNull();
    rememberVerified("ctx", "t2", {}, 0);
    expect(recallVerified("ctx", "t2", VERIFIED_TOKEN_MS - 1)).not.toBeNull();
    expect(recallVerified("ctx", "t2", VERIFIED_TOKEN_MS)).toBeNull();
  });

  it("still checks session and operation on a remembered grant, and forgets it when the keys change", async () => {
    const subject = { tenantId: "t", userId: "u", sessionId: "s", operation: "withdraw" };
    const now = Date.now();
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    expect(await checkGrant(env, token, subject, now)).not.toBeNull();
    expect(await checkGrant(env, token, { ...subject, sessionId: "other" }, now)).toBeNull();
    expect(await checkGrant(env, token, { ...subject, operation: "deposit" }, now)).toBeNull();
    const rotated = { ...env, STEPGATE_SECRET_KEYS: `t9:${"C".repeat(43)}` } as Env;
    expect(await checkGrant(rotated, token, subject, now)).toBeNull();
    expect(await checkGrant(env, token, subject, now + 301_000)).toBeNull();
  });
});
