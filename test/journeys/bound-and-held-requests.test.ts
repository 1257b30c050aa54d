import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson, sessionHeaders, verify } from "../support/step-up";
import { codeIn, outbox, timePasses } from "../support/outbox";

/** Withdrawals bound to the request (the default for `withdraw`), showing amount, currency and payee. */
const moneyPolicy = (overrides: object = {}) =>
  aPolicy({
    operations: { withdraw: { routes: ["POST /echo/withdraw", "POST /echo/upload"], maxAge: 0, display: ["/amount", "/currency", "/to/name", "amount"] } },
    factors: { sms: { enabled: true } },
    ...overrides,
  });

type Echo = { method: string; path: string; body: string; headers: Record<string, string> };

async function stoppedWithdrawal(base: string, token: string, body: unknown) {
  const stopped = await postJson(`${base}/echo/withdraw`, token, body);
  expect(stopped.status).toBe(401);
  return stopped.json<{ challengeId: string; held: boolean; completeUrl?: string; detail: string }>();
}

async function verified(base: string, token: string, challengeId: string, backupCode: string): Promise<string> {
  const response = await verify(base, token, challengeId, "backup_code", backupCode);
  expect(response.status).toBe(200);
  const body = await response.json<{ grant: string; singleUse: boolean; held: boolean }>();
  expect(body.singleUse).toBe(true);
  return body.grant;
}

const withGrant = (base: string, token: string, grant: string, body: unknown) => postJson(`${base}/echo/withdraw`, token, body, { "StepGate-Grant": grant });

type Approving = Array<{ field: string; value: string; label: string; formatted: string }>;

async function approvingIn(base: string, token: string, challengeId: string): Promise<Approving> {
  const response = await send(`${base}/__stepgate/api/challenges/${challengeId}`, { headers: { Cookie: `portal_session=${token}` } });
  return (await response.json<{ approving: Approving }>()).approving;
}

/** A field the policy names without a label or format, as the challenge JSON shows it. */
const asSent = (field: string, value: string) => ({ field, value, label: field, formatted: value });

async function challengePage(base: string, token: string, challengeId: string): Promise<string> {
  const response = await send(`${base}/__stepgate/challenge/${challengeId}`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}` } });
  return response.text();
}

describe("request-bound grants", () => {
  it("approve exactly the request shown: another amount, another payee, or the same one twice is refused", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "ana" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const approved = { amount: 10, currency: "USD", to: { name: "A", iban: "DE1" } };
    const { challengeId } = await stoppedWithdrawal(base, token, approved);
    const grant = await verified(base, token, challengeId, backupCodes[0]!);

    for (const tampered of [
      { ...approved, amount: 10000 },
      { ...approved, to: { name: "B", iban: "DE2" } },
      { ...approved, currency: "EUR" },
      { ...approved, memo: "extra" },
    ]) {
      const refused = await withGrant(base, token, grant, tampered);
      expect(refused.status, JSON.stringify(tampered)).toBe(401);
      expect(await refused.json()).toMatchObject({ code: "step_up_required", operation: "withdraw" });
    }
    // The same request, its keys in another order: approved, once.
    const reordered = { to: { iban: "DE1", name: "A" }, currency: "USD", amount: 10 };
    const through = await withGrant(base, token, grant, reordered);
    expect(through.status).toBe(200);
    expect(JSON.parse((await through.json<Echo>()).body)).toEqual(reordered);
    expect((await withGrant(base, token, grant, reordered)).status).toBe(401);
  });

  it("are not for another path or method, and a trusted device never skips them", async () => {
    const { base } = await aTenant(moneyPolicy({ trustedDevices: { enabled: true, operations: ["login", "withdraw"] } }));
    const token = await aSession({ sub: "ben" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 5 });
    const grant = await verified(base, token, challengeId, backupCodes[0]!);
    const elsewhere = await send(`${base}/echo/upload`, {
      method: "POST",
      headers: sessionHeaders(token, { "StepGate-Grant": grant }),
      body: JSON.stringify({ amount: 5 }),
    });
    expect(elsewhere.status).toBe(401);
  });
});

describe("what you approve is what you see", () => {
  it("shows the fields the policy names, escaped, on the challenge page and in the API", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "cyd" });
    await enrollTotpViaApi(base, token);
    const payee = `<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202eevil`;
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 250, currency: "USD", to: { name: payee } });

    const api = await (await send(`${base}/__stepgate/api/challenges/${challengeId}`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      approving: unknown;
      held: boolean;
    }>();
    expect(api.held).toBe(true);
    expect(api.approving).toEqual([
      asSent("amount", "250"),
      asSent("currency", "USD"),
      asSent("to.name", `<script>alert(1)</script>"><img src=x onerror=alert(2)>\\u202Eevil`),
    ]);

    const page = await (
      await send(`${base}/__stepgate/challenge/${challengeId}`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}` } })
    ).text();
    expect(page).toContain("You are approving");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\\u202Eevil");
    expect(page).not.toContain("<script>alert(1)");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("\u202e");
  });

  it("names the amount and payee in the text that carries the code", async () => {
    const { base, tenantId } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "dee" });
    const started = await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: "+14155550101" });
    expect(started.status).toBe(201);
    const { enrollmentId } = await started.json<{ enrollmentId: string }>();
    const enrollCode = codeIn((await outbox(base)).find((m) => m.to === "+14155550101")!.text);
    expect((await postJson(`${base}/__stepgate/api/enroll/sms/confirm`, token, { enrollmentId, code: enrollCode })).status).toBe(200);
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 75, currency: "EUR", to: { name: "Bob\nLine2" } });
    await timePasses(tenantId, "dee", 120_000); // past the enrolment text's resend cooldown
    expect((await postJson(`${base}/__stepgate/api/challenges/${challengeId}/send`, token, { factor: "sms" })).status).toBe(202);
    const text = (await outbox(base)).find((m) => m.to === "+14155550101")!.text;
    expect(text).toContain("to approve: withdrawal (amount 75, currency EUR, to.name Bob\u240aLine2)");
  });

  it("shows the spaces and line breaks the origin receives, on the challenge page and in the API", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "eva" });
    await enrollTotpViaApi(base, token);
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 10, currency: "USD", to: { name: `ALICE${" ".repeat(30)}\r\nMALLORY` } });
    const shown = `ALICE${"\u2423".repeat(30)}\u240d\u240aMALLORY`;
    expect(await approvingIn(base, token, challengeId)).toContainEqual(asSent("to.name", shown));
    const page = await challengePage(base, token, challengeId);
    expect(page).toContain(`<dd>${shown}</dd>`);
    expect(page).not.toMatch(/ALICE\s/);
  });

  it("shows an empty file the origin receives as a file, on the challenge page and in the API", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "fay" });
    await enrollTotpViaApi(base, token);
    // What a browser sends for an empty file input, here under the displayed name.
    const body = '--B\r\nContent-Disposition: form-data; name="amount"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--B--\r\n';
    const stopped = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: sessionHeaders(token, { "Content-Type": "multipart/form-data; boundary=B" }),
      body,
    });
    expect(stopped.status).toBe(401);
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const shown = "file::application/octet-stream:0:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    expect(await approvingIn(base, token, challengeId)).toEqual([asSent("amount", shown)]);
    expect(await challengePage(base, token, challengeId)).toContain(`<dd>${shown}</dd>`);
  });
});

describe("held requests", () => {
  it("are completed once by the API; a second complete and a retry with the grant after it are refused", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "eli" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const body = { amount: 42, currency: "USD", to: { name: "Z" } };
    const stopped = await stoppedWithdrawal(base, token, body);
    expect(stopped.held).toBe(true);
    expect(stopped.completeUrl).toBe(`${base}/__stepgate/api/challenges/${stopped.challengeId}/complete`);
    const early = await postJson(stopped.completeUrl!, token, {});
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ code: "not_verified" });
    const grant = await verified(base, token, stopped.challengeId, backupCodes[0]!);

    const done = await postJson(stopped.completeUrl!, token, {});
    expect(done.status).toBe(200);
    const echo = await done.json<Echo>();
    expect(echo).toMatchObject({ method: "POST", path: "/echo/withdraw" });
    expect(JSON.parse(echo.body)).toEqual(body);
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers["stepgate-grant"]).toBeUndefined();

    const again = await postJson(stopped.completeUrl!, token, {});
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "already_completed" });
    expect((await withGrant(base, token, grant, body)).status).toBe(401);
  });

  it("reach the origin exactly once when completes and retries race", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "fay" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const body = { amount: 1, to: { name: "Q" } };
    const { challengeId, completeUrl } = await stoppedWithdrawal(base, token, body);
    const grant = await verified(base, token, challengeId, backupCodes[0]!);
    const racers = [
      ...Array.from({ length: 6 }, () => postJson(completeUrl!, token, {})),
      ...Array.from({ length: 6 }, () => withGrant(base, token, grant, body)),
    ];
    const responses = await Promise.all(racers);
    const reached = [];
    for (const response of responses) {
      if (response.status === 200) reached.push(await response.json<Echo>());
    }
    expect(reached).toHaveLength(1);
    expect(JSON.parse(reached[0]!.body)).toEqual(body);
    expect(responses.every((r) => [200, 401, 409].includes(r.status))).toBe(true);
  });

  it("expire with their challenge", async () => {
    const { base, tenantId } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "gus" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId, completeUrl } = await stoppedWithdrawal(base, token, { amount: 3 });
    await verified(base, token, challengeId, backupCodes[0]!);
    await runInDurableObject(userState(env, tenantId, "gus"), (_o, state) => state.storage.sql.exec("UPDATE challenges SET expires_at = ?", Date.now() - 1));
    const expired = await postJson(completeUrl!, token, {});
    expect(expired.status).toBe(404);
    expect(await expired.json()).toMatchObject({ code: "challenge_not_found" });
  });

  it("belong to their session: another session of the same user cannot complete them", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "hal", sid: "h-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId, completeUrl } = await stoppedWithdrawal(base, token, { amount: 3 });
    await verified(base, token, challengeId, backupCodes[0]!);
    expect((await postJson(completeUrl!, await aSession({ sub: "hal", sid: "h-2" }), {})).status).toBe(404);
    expect((await postJson(completeUrl!, token, {})).status).toBe(200);
  });

  it("are not kept for uploads or bodies over the cap: the client is told to verify, then send again with the grant", async () => {
    const { base } = await aTenant(moneyPolicy({ heldRequests: { maxBodyBytes: 1024 } }));
    const token = await aSession({ sub: "ivy" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const big = { amount: 9, memo: "x".repeat(2000) };
    const stopped = await stoppedWithdrawal(base, token, big);
    expect(stopped.held).toBe(false);
    expect(stopped.completeUrl).toBeUndefined();
    expect(stopped.detail).toContain("not kept");
    const grant = await verified(base, token, stopped.challengeId, backupCodes[0]!);
    expect((await postJson(`${base}/__stepgate/api/challenges/${stopped.challengeId}/complete`, token, {})).status).toBe(404);
    expect((await withGrant(base, token, grant, big)).status).toBe(200);

    const upload = () => {
      const form = new FormData();
      form.append("amount", "9");
      form.append("proof", new File(["receipt bytes"], "receipt.txt", { type: "text/plain" }));
      return form;
    };
    const multipart = await send(`${base}/echo/upload`, { method: "POST", headers: { Cookie: `portal_session=${token}` }, body: upload() });
    expect(multipart.status).toBe(401);
    const { challengeId, held } = await multipart.json<{ challengeId: string; held: boolean }>();
    expect(held).toBe(false);
    const uploadGrant = await verified(base, token, challengeId, backupCodes[1]!);
    // A new boundary, the same fields and file: the same request.
    const sent = await send(`${base}/echo/upload`, {
      method: "POST",
      headers: { Cookie: `portal_session=${token}`, "StepGate-Grant": uploadGrant },
      body: upload(),
    });
    expect(sent.status).toBe(200);
  });
});

describe("held requests: the review's cases", () => {
  it("cannot be completed after the grant was used by a retry", async () => {
    const { base, tenantId } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "jay" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const body = { amount: 500, to: { name: "R" } };
    const { challengeId, completeUrl } = await stoppedWithdrawal(base, token, body);
    const grant = await verified(base, token, challengeId, backupCodes[0]!);
    expect((await withGrant(base, token, grant, body)).status).toBe(200);
    // Even once the spent grant's record is old, the held copy is done.
    await runInDurableObject(userState(env, tenantId, "jay"), (_o, state) => state.storage.sql.exec("UPDATE used_grants SET expires_at = ?", Date.now() - 1));
    const late = await postJson(completeUrl!, token, {});
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "already_completed" });
  });

  it("send the held body with its own content headers and only the completing request's credentials", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "kit" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId, completeUrl } = await stoppedWithdrawal(base, token, { amount: 8 });
    await verified(base, token, challengeId, backupCodes[0]!);
    const done = await send(completeUrl!, {
      method: "POST",
      headers: sessionHeaders(token, { "X-HTTP-Method-Override": "DELETE", "Idempotency-Key": "evil", "X-Custom": "nope" }),
      body: "{}",
    });
    expect(done.status).toBe(200);
    const echo = await done.json<Echo>();
    expect(echo.method).toBe("POST");
    expect(echo.headers["x-http-method-override"]).toBeUndefined();
    expect(echo.headers["idempotency-key"]).toBeUndefined();
    expect(echo.headers["x-custom"]).toBeUndefined();
    expect(echo.headers["content-type"]).toBe("application/json");
    expect(echo.headers.cookie).toBe(`portal_session=${token}`);
  });

  it("refuse a grant for the same request with a claimed method override, and ambiguous JSON", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "lee" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 2 });
    const grant = await verified(base, token, challengeId, backupCodes[0]!);
    const overridden = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: sessionHeaders(token, { "StepGate-Grant": grant, "X-HTTP-Method-Override": "PUT" }),
      body: JSON.stringify({ amount: 2 }),
    });
    expect(overridden.status).toBe(401);
    const duplicate = await send(`${base}/echo/withdraw`, { method: "POST", headers: sessionHeaders(token), body: '{"to":"MALLORY","amount":2,"to":"ALICE"}' });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({ code: "ambiguous_request" });
  });

  it("are completed from a cross-site link never", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "max" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const { challengeId } = await stoppedWithdrawal(base, token, { amount: 4 });
    await verified(base, token, challengeId, backupCodes[0]!);
    const crossSite = await send(`${base}/__stepgate/challenge/${challengeId}/complete`, {
      headers: { Accept: "text/html", Cookie: `portal_session=${token}`, "Sec-Fetch-Site": "cross-site" },
    });
    expect(crossSite.status).toBe(403);
    const sameSite = await send(`${base}/__stepgate/challenge/${challengeId}/complete`, {
      headers: { Accept: "text/html", Cookie: `portal_session=${token}`, "Sec-Fetch-Site": "same-origin" },
    });
    expect(sameSite.status).toBe(200);
  });

  it("refuse a body over 1 MiB before reading it", async () => {
    const { base } = await aTenant(moneyPolicy());
    const token = await aSession({ sub: "ned" });
    await enrollTotpViaApi(base, token);
    const big = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: sessionHeaders(token),
      body: JSON.stringify({ amount: 1, pad: "x".repeat(1_100_000) }),
    });
    expect(big.status).toBe(413);
  });
});

describe("enrolment forced by a bound operation", () => {
  it("shows what is being approved on the enrolment page, and the enrolment answers it with a grant for that request only", async () => {
    const { base } = await aTenant(moneyPolicy({ enforcement: "required" }));
    const token = await aSession({ sub: "ora" });
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 640, currency: "USD" });
    const { challengeId, code, held } = await stopped.json<{ challengeId: string; code: string; held: boolean }>();
    expect(code).toBe("enrollment_required");
    expect(held).toBe(true);
    const page = await (
      await send(`${base}/__stepgate/enroll?challenge=${challengeId}&factor=totp`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}` } })
    ).text();
    expect(page).toContain("You are approving");
    expect(page).toContain("640");
    const { grant } = await enrollTotpViaApi(base, token, challengeId);
    expect(grant).toBeDefined();
    expect((await withGrant(base, token, grant!, { amount: 6400, currency: "USD" })).status).toBe(401);
    expect((await withGrant(base, token, grant!, { amount: 640, currency: "USD" })).status).toBe(200);
  });
});
