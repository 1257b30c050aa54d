/**
 * The identity provider's key set (JWKS) slow or failing while many requests need it at once.
 * Workers forbid one request to await another's I/O, so jose does not share a pending key-set
 * fetch there: each request that finds no cached key set fetches its own. These tests show
 * every request ends, none passes a protected operation unrecognised, plain traffic flows
 * meanwhile, and the key set, once fetched, is cached for all.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { aJwksSession, aPolicy, aTenant, send } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";

const CONCURRENT = 20;

/** A tenant whose sessions are checked against `/.well-known/jwks-faulty.json` with `faults`. */
async function aTenantWithKeySet(faults: { ms?: number; fail?: number }) {
  const query = new URLSearchParams({ ms: String(faults.ms ?? 0), fail: String(faults.fail ?? 0), run: crypto.randomUUID() });
  const jwksUrl = `${env.TEST_ORIGIN}/.well-known/jwks-faulty.json?${query}`;
  const identity = { algorithm: "RS256", jwksUrl, header: "Authorization", issuer: "https://idp.test", audience: "portal" };
  const { base } = await aTenant(
    aPolicy({ enforcement: "required", identity: identity as never, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }),
  );
  const fetches = async () =>
    (await (await fetch(`${env.TEST_ORIGIN}/__fixture/jwks-fetches?url=${encodeURIComponent(jwksUrl)}`)).json<{ count: number }>()).count;
  return { base, fetches };
}

/** Twenty users' sessions; `round` makes them new tokens, unknown to the verified-token memory. */
const sessions = (round = 1) =>
  Promise.all(
    Array.from({ length: CONCURRENT }, (_, i) =>
      aJwksSession("rsa", { sub: `k${i}`, sid: `k${i}-s${round}` }, { issuer: "https://idp.test", audience: "portal" }),
    ),
  );

/** Protected withdrawals from every session at once, with plain page loads beside them. */
async function together(base: string, tokens: string[]) {
  const withdrawals = tokens.map((token) =>
    send(`${base}/echo/withdraw`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: "{}" }),
  );
  const pages = Array.from({ length: 5 }, (_, i) => send(`${base}/echo/page-${i}`));
  const [protectedAnswers, pageAnswers] = await Promise.all([Promise.all(withdrawals), Promise.all(pages)]);
  return {
    withdrawals: await Promise.all(
      protectedAnswers.map(async (r) => ({ status: r.status, code: r.status === 200 ? null : (await r.json<{ code: string }>()).code })),
    ),
    pages: pageAnswers.map((r) => r.status),
  };
}

describe("the identity provider's key set under faults, twenty sessions at once", () => {
  it("fails every protected request closed with 503 while the key set answers 500, and recovers on the next request", async () => {
    // Failing for as many fetches as there are requests: each of them may fetch on its own.
    const { base, fetches } = await aTenantWithKeySet({ fail: CONCURRENT });
    const errors = expectErrorLogs();
    const tokens = await sessions();
    const { withdrawals, pages } = await together(base, tokens);
    expect(withdrawals).toEqual(Array(CONCURRENT).fill({ status: 503, code: "identity_unavailable" }));
    expect(pages).toEqual(Array(5).fill(200));
    expect(await fetches()).toBe(CONCURRENT);
    // Each failed request leaves the operator a line saying why.
    expect(errors).toHaveBeenCalledTimes(CONCURRENT);
    expect(errors).toHaveBeenCalledWith("stepgate: identity keys unavailable", expect.objectContaining({ code: "ERR_JOSE_GENERIC" }));
    // A failure is not remembered: the next request fetches again and gets the keys.
    const after = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tokens[0]}`, "Content-Type": "application/json" },
      body: "{}",
    });
    // Recognised now: required 2FA and no factor, so the user is sent to enrol.
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: "enrollment_required" });
  });

  it("waits for a slow key set (1.5 s), recognises every session, then serves the cached keys", async () => {
    const { base, fetches } = await aTenantWithKeySet({ ms: 1_500 });
    const tokens = await sessions();
    const { withdrawals, pages } = await together(base, tokens);
    expect(withdrawals).toEqual(Array(CONCURRENT).fill({ status: 401, code: "enrollment_required" }));
    expect(pages).toEqual(Array(5).fill(200));
    const coldFetches = await fetches();
    expect(coldFetches).toBeGreaterThanOrEqual(1);
    expect(coldFetches).toBeLessThanOrEqual(CONCURRENT);
    // Twenty sessions verified again: no new fetch (new tokens, so the verified-token memory does not answer).
    const again = await together(base, await sessions(2));
    expect(again.withdrawals).toEqual(Array(CONCURRENT).fill({ status: 401, code: "enrollment_required" }));
    expect(await fetches()).toBe(coldFetches);
  });

  it("gives up on a key set slower than its 5 s timeout: every request ends with 503, none hangs", async () => {
    const { base } = await aTenantWithKeySet({ ms: 8_000 });
    const errors = expectErrorLogs();
    const { withdrawals, pages } = await together(base, await sessions());
    // Had stepgate waited the key set out, these would be recognised (401 enrollment_required).
    expect(withdrawals).toEqual(Array(CONCURRENT).fill({ status: 503, code: "identity_unavailable" }));
    expect(pages).toEqual(Array(5).fill(200));
    expect(errors).toHaveBeenCalledTimes(CONCURRENT);
    expect(errors).toHaveBeenCalledWith("stepgate: identity keys unavailable", expect.objectContaining({ code: "ERR_JWKS_TIMEOUT" }));
  });
});
