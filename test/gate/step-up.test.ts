import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

async function enrollTotp(tenantId: string, userId: string): Promise<void> {
  await runInDurableObject(userState(env, tenantId, userId), async (_instance, state) => {
    state.storage.sql.exec("INSERT INTO factors (id, kind, status, created_at) VALUES ('f1', 'totp', 'active', ?)", Date.now());
  });
}

async function storedChallenge(tenantId: string, userId: string, id: string) {
  return runInDurableObject(
    userState(env, tenantId, userId),
    async (_instance, state) =>
      state.storage.sql.exec("SELECT kind, operation, session_id, return_to, expires_at FROM challenges WHERE id = ?", id).toArray()[0],
  );
}

const json = { "Content-Type": "application/json" };

describe("a protected API call without a grant", () => {
  it("gets a 401 step_up_required problem with a StepUp challenge for an enrolled user", async () => {
    const { base, tenantId } = await aTenant();
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { ...json, Cookie: `portal_session=${await aSession({ sub: "alice", sid: "s-9" })}` },
      body: '{"amount":10}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const body = await response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 401, code: "step_up_required", operation: "withdraw", factors: ["totp"] });
    expect(body.type).toEqual(expect.any(String));
    expect(body.title).toEqual(expect.any(String));
    const id = body.challengeId as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.challengeUrl).toBe(`${base}/__stepgate/challenge/${id}`);
    expect(response.headers.get("WWW-Authenticate")).toBe(
      `StepUp challenge="${id}", operation="withdraw", Bearer error="insufficient_user_authentication", error_description="A fresh second-factor verification is required for this operation", max_age=0`,
    );
    // The client showing the challenge gives up when it ends.
    const stored = await storedChallenge(tenantId, "alice", id);
    expect(body.expiresAt).toBe(new Date(stored!.expires_at as number).toISOString());
    expect(await storedChallenge(tenantId, "alice", id)).toMatchObject({ kind: "step_up", operation: "withdraw", session_id: "s-9", return_to: null });
  });

  it("tells an OAuth client the same in RFC 9470's terms: how fresh a proof must be, and the operation's acr", async () => {
    const { base, tenantId } = await aTenant(
      aPolicy({
        operations: {
          withdraw: { routes: ["POST /api/withdraw"], maxAge: 0, acr: "urn:acme:payments" },
          statements: { routes: ["GET /api/statements"], maxAge: 900 },
        },
      }),
    );
    await enrollTotp(tenantId, "oauth");
    const headers = { ...json, Cookie: `portal_session=${await aSession({ sub: "oauth" })}` };
    const withdraw = await send(`${base}/api/withdraw`, { method: "POST", headers, body: '{"amount":10}' });
    const statements = await send(`${base}/api/statements`, { headers });
    // The Bearer challenge read by its RFC 9110 grammar: the auth-params after the scheme.
    const bearer = (response: Response) => {
      const value = response.headers.get("WWW-Authenticate")!;
      const params = value.slice(value.indexOf("Bearer ") + "Bearer ".length);
      return Object.fromEntries([...params.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map(([, name, quoted, token]) => [name, quoted ?? token]));
    };
    expect(bearer(withdraw)).toEqual({
      error: "insufficient_user_authentication",
      error_description: "A fresh second-factor verification is required for this operation",
      max_age: "0",
      acr_values: "urn:acme:payments",
    });
    expect(bearer(statements)).toMatchObject({ error: "insufficient_user_authentication", max_age: "900" });
    expect(bearer(statements)).not.toHaveProperty("acr_values");
  });

  it("gets enrollment_required when 2FA is required and the user has no factor", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required" }));
    const response = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(401);
    const body = await response.json<{ code: string; factors: string[]; challengeUrl: string }>();
    expect(body.code).toBe("enrollment_required");
    expect(body.factors).toEqual(["totp"]);
    expect(body.challengeUrl).toMatch(/\/__stepgate\/enroll\?challenge=[\w-]{22}$/);
  });

  it("lets an unenrolled user through under optional enforcement", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "optional" }));
    const response = await send(`${base}/echo/x`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(200);
  });

  it("requires enrolment of users in a required group even under optional enforcement", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "optional", requiredGroups: ["traders"] }));
    const trader = await aSession({ sub: "tom", groups: ["retail", "traders"] });
    const retail = await aSession({ sub: "rita", groups: ["retail"] });
    const asTrader = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${trader}` } });
    const asRetail = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${retail}` } });
    expect(asTrader.status).toBe(401);
    expect(await asRetail.json()).toMatchObject({ origin: "fixture", path: "/api/withdraw" });
  });

  it("refuses an anonymous request to a protected operation", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/api/withdraw`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "session_required", operation: "withdraw" });
  });

  it("lets anonymous traffic through the login guard so the portal's own sign-in works", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required", operations: { login: { routes: ["* /*"] } } }));
    expect((await send(`${base}/cookies`)).status).toBe(200);
  });
});

describe("a protected browser navigation without a grant", () => {
  const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
  const pagePolicy = () => aPolicy({ operations: { statements: { routes: ["GET /statements/*"] } } });

  it("is redirected with 303 to the challenge page, remembering where it was going", async () => {
    const { base, tenantId } = await aTenant(pagePolicy());
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}/statements/2026?year=1`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(303);
    const location = response.headers.get("Location") ?? "";
    const id = /^\/__stepgate\/challenge\/([\w-]{22})$/.exec(location)?.[1];
    expect(id).toBeDefined();
    expect(await storedChallenge(tenantId, "alice", id!)).toMatchObject({ return_to: "/statements/2026?year=1" });
  });

  it("never remembers a path that a browser would read as another host", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ operations: { login: { routes: ["* /*"] } } }));
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}//evil.example/x`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(303);
    const id = /challenge\/([\w-]{22})$/.exec(response.headers.get("Location") ?? "")?.[1];
    expect(await storedChallenge(tenantId, "alice", id!)).toMatchObject({ return_to: "/" });
  });

  it("is redirected to enrolment when the user must enrol first", async () => {
    const { base } = await aTenant({ ...pagePolicy(), enforcement: "required" });
    const response = await send(`${base}/statements/2026`, { headers: { ...browser, Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=[\w-]{22}$/);
  });

  it("sends a browser form POST that is held straight (303) to the challenge page, which leads back to the form's page", async () => {
    const { base, tenantId } = await aTenant();
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: {
        ...browser,
        "Content-Type": "application/x-www-form-urlencoded",
        Referer: `${base}/wallet?tab=withdraw`,
        Cookie: `portal_session=${await aSession()}`,
      },
      body: "amount=10",
    });
    expect(response.status).toBe(303);
    const id = /^\/__stepgate\/challenge\/([\w-]{22})$/.exec(response.headers.get("Location") ?? "")?.[1];
    expect(id).toBeDefined();
    expect(await storedChallenge(tenantId, "alice", id!)).toMatchObject({ return_to: "/wallet?tab=withdraw" });
  });

  const anUpload = () => {
    const form = new FormData();
    form.append("amount", "10");
    form.append("proof", new File(["receipt"], "receipt.txt", { type: "text/plain" }));
    return form;
  };
  const displayPolicy = (overrides: object = {}) =>
    aPolicy({ operations: { withdraw: { routes: ["POST /wallet/withdraw"], maxAge: 0, display: ["amount"] } }, ...overrides });

  it("answers a browser form that cannot be held (a file upload) with a 401 page: what was being approved, and a button to the challenge", async () => {
    const { base, tenantId } = await aTenant(displayPolicy());
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { ...browser, Cookie: `portal_session=${await aSession()}` },
      body: anUpload(),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(
      /^StepUp challenge="[\w-]{22}", operation="withdraw", Bearer error="insufficient_user_authentication"/,
    );
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<dl id="approving"><dt>amount<\/dt><dd>10<\/dd><\/dl>/);
    expect(html).toContain("<h1>Confirm your withdrawal</h1>");
    expect(html).toContain("To continue (withdrawal), confirm it&#39;s you with your second factor.");
    expect(html).toContain("This form is too large to keep (or uploads files)");
    expect(html).toMatch(/<form method="get" action="\/__stepgate\/challenge\/[\w-]{22}"><button type="submit">Verify now<\/button><\/form>/);
  });

  it("leads a form that cannot be held to enrolment with a button that keeps the challenge", async () => {
    const { base } = await aTenant(displayPolicy({ enforcement: "required" }));
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { ...browser, Cookie: `portal_session=${await aSession()}` },
      body: anUpload(),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(
      /<form method="get" action="\/__stepgate\/enroll"><input type="hidden" name="challenge" value="[\w-]{22}"\/><button type="submit">Set up two-factor verification<\/button><\/form>/,
    );
  });

  it("ignores a Referer from another site", async () => {
    const { base, tenantId } = await aTenant();
    await enrollTotp(tenantId, "alice");
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { ...browser, Referer: "https://evil.example/wallet", Cookie: `portal_session=${await aSession()}` },
      body: "amount=10",
    });
    const id = /challenge\/([\w-]{22})/.exec(response.headers.get("Location") ?? "")?.[1];
    expect(await storedChallenge(tenantId, "alice", id!)).toMatchObject({ return_to: null });
  });
});

describe("a request-bound operation on a GET route", () => {
  it("asks for a step-up bound to that GET (it answered 500: the body copy gave a GET a body)", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "optional", operations: { withdraw: { routes: ["GET /echo/statement"], maxAge: 0 } } }));
    for (const method of ["GET", "HEAD"]) {
      const response = await send(`${base}/echo/statement?month=11`, { method, headers: { Cookie: `portal_session=${await aSession({ sub: "gus" })}` } });
      // Unenrolled under optional enforcement: passed on, the digest read without a body.
      expect(response.status, method).toBe(200);
    }
    const enrolled = await aTenant(aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["GET /echo/statement"], maxAge: 0 } } }));
    const stopped = await send(`${enrolled.base}/echo/statement`, { headers: { Cookie: `portal_session=${await aSession({ sub: "hal" })}` } });
    expect(stopped.status).toBe(401);
    expect(await stopped.json()).toMatchObject({ code: expect.stringMatching(/^(step_up_required|enrollment_required)$/) });
  });
});
