/**
 * Forgery and transplant, property-based (fast-check): grants, device cookies, CSRF tokens and challenge ids
 * with any one character changed are refused, and a genuine one is refused for any other
 * user, session, operation or tenant. Each property runs `RUNS` random cases.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import fc from "fast-check";
import { checkGrant, issueGrant, type GrantSubject } from "../../src/gate/grant";
import { deviceCookie, trustedDeviceId } from "../../src/gate/device-cookie";
import { csrfToken, csrfTokenValid } from "../../src/lib/csrf";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { challengeFor, enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const RUNS = 200;
const BASE64URL = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"];

/** `text` with the character at `position` replaced by another one from `alphabet`. */
function mutated(text: string, position: number, replacement: string): string {
  const at = position % text.length;
  const swap = replacement === text[at] ? (replacement === "A" ? "B" : "A") : replacement;
  return `${text.slice(0, at)}${swap}${text.slice(at + 1)}`;
}

const subject: GrantSubject = { tenantId: "acme", userId: "alice", sessionId: "s-1", operation: "withdraw" };
const anId = fc.stringMatching(/^[a-z0-9_-]{1,24}$/);

describe("forged and transplanted grants", () => {
  it(`refuses a grant with any one character changed (${RUNS} cases)`, async () => {
    const now = Date.now();
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    expect(await checkGrant(env, token, subject, now)).not.toBeNull();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...BASE64URL), async (position, char) => {
        const forged = mutated(token, position, char);
        // A change in the last character's unused low bits can decode to the same signature bytes;
        // then the token is the same grant, not a forgery.
        const grant = await checkGrant(env, forged, subject, now);
        const sameBytes = position % token.length === token.length - 1;
        expect(grant === null || sameBytes).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses a genuine grant for any other tenant, user, session or operation (${RUNS} cases)`, async () => {
    const now = Date.now();
    const { token } = await issueGrant(env, subject, { maxAgeSeconds: 300 }, now);
    const other = fc
      .record({
        tenantId: fc.oneof(fc.constant(subject.tenantId), anId),
        userId: fc.oneof(fc.constant(subject.userId), anId),
        sessionId: fc.oneof(fc.constant(subject.sessionId), anId),
        operation: fc.oneof(fc.constant(subject.operation), anId),
      })
      .filter((s) => JSON.stringify(s) !== JSON.stringify(subject));
    await fc.assert(
      fc.asyncProperty(other, async (elsewhere) => {
        expect(await checkGrant(env, token, elsewhere, now)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("forged and transplanted device cookies", () => {
  it(`refuses a device cookie with any one character changed, or taken to another user or tenant (${RUNS} cases each)`, async () => {
    const expiresAt = Date.now() + 86_400_000;
    const cookie = await deviceCookie(env, "acme", "alice", "device-1", expiresAt);
    const token = cookie.split(";")[0]!.split("=").slice(1).join("=");
    expect(await trustedDeviceId(env, token, "acme", "alice")).toBe("device-1");
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...BASE64URL), async (position, char) => {
        const sameBytes = position % token.length === token.length - 1;
        const id = await trustedDeviceId(env, mutated(token, position, char), "acme", "alice");
        expect(id === null || sameBytes).toBe(true);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(anId, anId, async (tenantId, userId) => {
        fc.pre(tenantId !== "acme" || userId !== "alice");
        expect(await trustedDeviceId(env, token, tenantId, userId)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

describe("forged CSRF tokens", () => {
  it(`refuses a CSRF token with any one character changed, or from another session (${RUNS} cases each)`, async () => {
    const session = ["acme", "alice", "s-1"];
    const token = await csrfToken(env, session);
    expect(await csrfTokenValid(env, token, session)).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...BASE64URL), async (position, char) => {
        const sameBytes = position % token.length === token.length - 1;
        const valid = await csrfTokenValid(env, mutated(token, position, char), session);
        expect(!valid || sameBytes).toBe(true);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(anId, anId, anId, async (tenant, user, sid) => {
        fc.pre(JSON.stringify([tenant, user, sid]) !== JSON.stringify(session));
        expect(await csrfTokenValid(env, token, [tenant, user, sid])).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("forged and transplanted challenge ids", () => {
  it(`refuses the right code on a challenge id with any one character changed, or from another user's session (${RUNS} cases)`, async () => {
    // A per-network limit high enough for the probes: every one of them is a refused attempt from the same IP.
    const { base } = await aTenant(
      aPolicy({
        operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
        lockout: { maxAttempts: 5, windowSeconds: 900, lockSeconds: 900, perIpPerHour: 10_000 },
      }),
    );
    const token = await aSession({ sub: "cid", sid: "cid-1" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    const id = await challengeFor(`${base}/echo/withdraw`, token);
    const rightCode = totpCode(secret, enrolledAt + 30_000);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...BASE64URL), async (position, char) => {
        const answer = await verify(base, token, mutated(id, position, char), "totp", rightCode);
        expect(answer.status).toBe(404);
      }),
      { numRuns: RUNS },
    );
    const intruder = await aSession({ sub: "mallory", sid: "m-1" });
    await enrollTotpViaApi(base, intruder);
    expect((await verify(base, intruder, id, "totp", rightCode)).status).toBe(404);
    // The genuine id with the same code still works: the probes neither spent nor locked anything.
    expect((await verify(base, token, id, "totp", rightCode)).status).toBe(200);
  });
});
