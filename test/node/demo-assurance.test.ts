/**
 * The demo portal checks stepgate's assurance as an origin behind stepgate should: under `npm run
 * dev`, a withdrawal sent straight to the portal's port is refused by the portal itself, one sent
 * through stepgate is taken with how the user confirmed it, and an assurance stepgate signed for
 * one withdrawal does not carry another body, another operation, or the same request twice.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assuranceClaims, signedAssurance } from "../../src/gate/assurance";
import { readBody, requestDigest } from "../../src/gate/request-digest";
import { startDevServer, type DevServer } from "../browser/dev-server";
import { totpCode } from "../support/totp";

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-demo-assurance-"));
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ stateDir });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const WITHDRAWAL = { amount: "10", currency: "USD", destination: "IBAN DE89 3704 0044 0532 0130 00" };

/** Signs in to the demo portal through stepgate; the portal's session cookie. */
async function signIn(username: string): Promise<string> {
  const response = await fetch(`${server.base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: `username=${username}&password=x`,
    redirect: "manual",
  });
  expect(response.status).toBe(303);
  return response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("portal_session="))!
    .split(";")[0]!;
}

const json = (cookie: string, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { Cookie: cookie, "Content-Type": "application/json", ...extra },
  body: JSON.stringify(body),
  redirect: "manual",
});

/**
 * An assurance as stepgate signs it for a withdrawal of `body` by `user` at the demo portal — made
 * here with stepgate's own signing code and the dev key, as a copy taken off the wire would be.
 */
async function genuineAssurance(user: string, body: unknown, operation = "withdraw"): Promise<string> {
  const url = `${server.demoOrigin}/api/withdraw`;
  const digest = await requestDigest(new Request(url, json("", body)), await readBody(new Request(url, json("", body))));
  const keys = /^STEPGATE_SECRET_KEYS=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim();
  const env = { STEPGATE_SECRET_KEYS: keys } as Env;
  const proof = { amr: ["otp", "mfa"], authTime: Math.floor(Date.now() / 1000) };
  const claims = assuranceClaims(
    new URL(`${server.base}/api/withdraw`),
    new URL(server.demoOrigin),
    { userId: user, sessionId: "s", operation, proof, digest },
    undefined,
  );
  return signedAssurance(env, "demo", claims, Date.now());
}

describe("the demo portal behind stepgate", () => {
  it("refuses a withdrawal sent straight to its port, as a form and as JSON, and takes the same one through stepgate", async () => {
    const cookie = await signIn("ivy");
    const direct = await fetch(`${server.demoOrigin}/api/withdraw`, json(cookie, WITHDRAWAL));
    expect(direct.status).toBe(403);
    expect(await direct.json()).toMatchObject({ error: "assurance_refused", detail: expect.stringContaining("did not come through stepgate") });
    const form = await fetch(`${server.demoOrigin}/wallet/withdraw`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(WITHDRAWAL).toString(),
      redirect: "manual",
    });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain("did not come through stepgate");

    // ivy has no second factor (the demo's 2FA is optional): the portal takes it, and says so.
    const through = await fetch(`${server.base}/api/withdraw`, json(cookie, WITHDRAWAL));
    expect(through.status).toBe(200);
    expect(await through.json()).toMatchObject({
      operation: "withdraw",
      user: "ivy",
      confirmed: expect.stringMatching(/^Not confirmed with a second factor/),
      receipt: { amount: "-$10.00" },
    });
  });

  it("takes a withdrawal approved with an authenticator app, and says so with the time", async () => {
    const cookie = await signIn("jon");
    const call = (path: string, body: unknown, extra: Record<string, string> = {}) => fetch(`${server.base}${path}`, json(cookie, body, extra));
    const started = (await (await call("/__stepgate/api/enroll/totp", {})).json()) as { enrollmentId: string; secret: string };
    const enrolled = await call("/__stepgate/api/enroll/totp/confirm", { enrollmentId: started.enrollmentId, code: totpCode(started.secret) });
    expect(enrolled.status).toBe(200);
    const { backupCodes } = (await enrolled.json()) as { backupCodes: string[] };
    /** Passes the step-up the request stopped at with `factor`; the grant. */
    const answer = async (stopped: Response, factor: string, code: string) => {
      expect(stopped.status).toBe(401);
      const { challengeId } = (await stopped.json()) as { challengeId: string };
      const verified = await call(`/__stepgate/api/challenges/${challengeId}/verify`, { factor, code });
      expect(verified.status).toBe(200);
      return ((await verified.json()) as { grant: string }).grant;
    };
    // The sign-in with a backup code; the withdrawal with the app's next code (one step on from enrolling).
    const login = await answer(await call("/api/withdraw", WITHDRAWAL), "backup_code", backupCodes[0]!);
    const withLogin = (extra: Record<string, string> = {}) => ({ Cookie: `${cookie}; __Host-stepgate-grant-login=${login}`, ...extra });
    const stopped = await fetch(`${server.base}/api/withdraw`, {
      ...json(cookie, WITHDRAWAL),
      headers: { ...withLogin(), "Content-Type": "application/json" },
    });
    const grant = await answer(stopped, "totp", totpCode(started.secret, Date.now() + 30_000));
    const approvedAt = new Date();
    const through = await fetch(`${server.base}/api/withdraw`, {
      ...json(cookie, WITHDRAWAL),
      headers: { ...withLogin({ "StepGate-Grant": grant }), "Content-Type": "application/json" },
    });
    expect(through.status).toBe(200);
    const { confirmed } = (await through.json()) as { confirmed: string };
    expect(confirmed).toMatch(/^Confirmed with an authenticator app at \d\d:\d\d UTC$/);
    const minutes = [approvedAt, new Date(approvedAt.getTime() - 60_000)].map((at) => at.toISOString().slice(11, 16));
    expect(minutes).toContain(/(\d\d:\d\d)/.exec(confirmed)![1]);
  });

  it("refuses an assurance stepgate signed for one withdrawal with another body, for another operation, or twice", async () => {
    const cookie = await signIn("kim");
    const assurance = await genuineAssurance("kim", WITHDRAWAL);
    const direct = (body: unknown, token: string) => fetch(`${server.demoOrigin}/api/withdraw`, json(cookie, body, { "StepGate-Assurance": token }));

    const otherBody = await direct({ ...WITHDRAWAL, destination: "IBAN GB33 BUKB 2020 1555 5555 55" }, assurance);
    expect(otherBody.status).toBe(403);
    expect(await otherBody.json()).toMatchObject({ detail: expect.stringContaining("another request") });

    const deposit = await direct(WITHDRAWAL, await genuineAssurance("kim", WITHDRAWAL, "deposit"));
    expect(deposit.status).toBe(403);
    expect(await deposit.json()).toMatchObject({ detail: expect.stringContaining("for deposit, not withdraw") });

    const otherUser = await direct(WITHDRAWAL, await genuineAssurance("lee", WITHDRAWAL));
    expect(otherUser.status).toBe(403);

    // The request it was signed for is taken once; the same request with it again is not.
    expect((await direct(WITHDRAWAL, assurance)).status).toBe(200);
    const again = await direct(WITHDRAWAL, assurance);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ detail: expect.stringContaining("used already") });
  });
});
