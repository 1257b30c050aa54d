import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { DEMO_HOSTS, demoPolicy } from "../../demo/tenant";
import { PolicySchema } from "../../src/config/policy-schema";
import { aTenant, send } from "../support/builders";
import { challengeFor, enrollTotpViaApi, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

async function signIn(base: string, username: string): Promise<string> {
  const response = await send(`${base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: `username=${username}&password=anything`,
  });
  expect(response.status).toBe(303);
  expect(response.headers.get("Location")).toBe("/");
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("portal_session="));
  expect(cookie).toBeDefined();
  return cookie!.split(";")[0]!;
}

/** Where the portal's answer to a form redirects: its receipt, on the public host. */
function receiptPath(response: Response): string {
  const location = response.headers.get("Location")!;
  expect(location).toMatch(/^\/receipts\/[\w-]{36}$/);
  return location;
}

describe("the demo portal behind stepgate", () => {
  it("is a valid policy for localhost and 127.0.0.1 that maps every built-in operation", () => {
    expect(DEMO_HOSTS).toEqual(["localhost", "127.0.0.1"]);
    const policy = PolicySchema.parse(demoPolicy(env.DEMO_ORIGIN));
    expect(policy).toMatchObject({ enabled: true, enforcement: "optional" });
    expect(Object.keys(policy.operations).sort()).toEqual([
      "change_password",
      "deposit",
      "login",
      "prop_challenge_fee",
      "trading_competition_fee",
      "transfer",
      "update_email",
      "withdraw",
    ]);
  });

  it("signs in through the proxy and shows the signed-in home page", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const loginPage = await send(`${base}/login`);
    expect(await loginPage.text()).toContain('<form method="post" action="/login">');
    const session = await signIn(base, "alice");
    const home = await send(`${base}/`, { headers: { Cookie: session, Accept: "text/html" } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Signed in as <strong>alice</strong>");
  });

  it("signs in the username admin as its security administrator, who enrols and then opens the whole console", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const browser = { Accept: "text/html" };
    const admin = await signIn(base, "admin");
    const first = await send(`${base}/__stepgate/admin/`, { headers: { ...browser, Cookie: admin } });
    expect(first.status).toBe(303);
    const challengeId = /^\/__stepgate\/enroll\?challenge=([\w-]+)$/.exec(first.headers.get("Location") ?? "")?.[1];
    expect(challengeId).toBeDefined();
    const { grant } = await enrollTotpViaApi(base, admin.replace(/^portal_session=/, ""), challengeId);
    const page = await send(`${base}/__stepgate/admin/`, { headers: { ...browser, Cookie: `${admin}; __Host-stepgate-grant-admin_console=${grant}` } });
    expect(page.status).toBe(200);
    expect([...(await page.text()).matchAll(/data-scope=/g)]).toHaveLength(7);
    // Anyone else is a portal user, not an admin.
    const alice = await signIn(base, "alice");
    expect((await send(`${base}/__stepgate/admin/`, { headers: { ...browser, Cookie: alice } })).status).toBe(403);
  });

  it("lets an unenrolled user withdraw under optional enforcement, and the portal receives the form intact", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "alice");
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { Cookie: session, "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=50&currency=USD&destination=IBAN%20DE89",
    });
    // POST-redirect-GET: the receipt is a page of its own, so a reload never withdraws again.
    expect(response.status).toBe(303);
    const receipt = await send(`${base}${receiptPath(response)}`, { headers: { Cookie: session, Accept: "text/html" } });
    expect(receipt.status).toBe(200);
    const page = await receipt.text();
    expect(page).toContain("Withdrawal received");
    expect(page).toContain("&quot;destination&quot;: &quot;IBAN DE89&quot;");
  });

  it("answers the JSON twin with what it received", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "bob");
    const response = await send(`${base}/api/transfer`, {
      method: "POST",
      headers: { Cookie: session, "Content-Type": "application/json" },
      body: JSON.stringify({ amount: 25, to: "ACC-2002" }),
    });
    expect(await response.json()).toEqual({ operation: "transfer", user: "bob", received: { amount: 25, to: "ACC-2002" } });
  });

  it("moves money for a JSON twin sent the whole form, as the Quick transfer widget sends it, and answers with its receipt", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "quick");
    const transfer = (body: unknown) =>
      send(`${base}/api/transfer`, { method: "POST", headers: { Cookie: session, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    // An optional-enforcement user with no factor: the policy lets the transfer through.
    const sent = await transfer({ amount: "25", currency: "USD", to: "ACC-2002" });
    expect(sent.status).toBe(200);
    const answer = await sent.json<{ receipt: { reference: string; amount: string; balanceAfter: string } }>();
    expect(answer).toMatchObject({ operation: "transfer", user: "quick", received: { amount: "25", currency: "USD", to: "ACC-2002" } });
    expect(answer.receipt).toMatchObject({ amount: "-$25.00", balanceAfter: "$24,975.00" });
    const overview = await (await send(`${base}/`, { headers: { Cookie: session, Accept: "text/html" } })).text();
    expect(overview).toContain('<p class="balance" id="cash-balance">$24,975.00</p>');
    expect(overview.match(/<td><a href="\/receipts\/[\w-]+">Transfer<\/a><\/td>/g)).toHaveLength(1);
    const tooMuch = await transfer({ amount: "999999", currency: "USD", to: "ACC-2002" });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.json()).toMatchObject({ field: "amount", error: expect.stringContaining("Not enough USD") });
  });

  it("shows the Quick transfer on the overview: a form that works without script, and the scripts that send it in place", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "widget");
    const overview = await (await send(`${base}/`, { headers: { Cookie: session, Accept: "text/html" } })).text();
    expect(overview).toContain('<form id="quick-transfer" method="post" action="/wallet/transfer">');
    expect(overview).toContain('<p id="quick-transfer-status" role="status" aria-live="polite"></p>');
    expect(overview).toContain('<script src="/__stepgate/client.js"></script><script src="/quick-transfer.js"></script>');
    const script = await send(`${base}/quick-transfer.js`, { headers: { Cookie: session } });
    expect(script.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(await script.text()).toContain('stepgate.fetch("/api/transfer"');
  });

  it("stops a withdrawal for enrolment once 2FA is required", async () => {
    const { base } = await aTenant({ ...demoPolicy(env.DEMO_ORIGIN), enforcement: "required" });
    // Sign-in itself is exempt from the login guard, so the session can be created.
    const session = await signIn(base, "carol");
    const response = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { Cookie: session, "Content-Type": "application/json" },
      body: '{"amount":10}',
    });
    expect(response.status).toBe(401);
    // The login guard comes first: a user who must enrol cannot reach any portal route.
    expect(await response.json()).toMatchObject({ code: "enrollment_required", operation: "login" });
  });
});

describe("a step-up on a withdrawal in the demo portal", () => {
  const browser = { Accept: "text/html,application/xhtml+xml", "Content-Type": "application/x-www-form-urlencoded" };
  const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;

  it("goes form → challenge → the held form reaches the portal once, with nothing typed again", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "wanda");
    const token = session.split("=")[1]!;
    const { secret, enrolledAt, backupCodes } = await enrollTotpViaApi(base, token);

    // The login guard first: the wallet page asks for a code once for this session.
    const toWallet = await send(`${base}/wallet`, { headers: { Accept: "text/html", Cookie: session } });
    expect(toWallet.status).toBe(303);
    const loginChallenge = toWallet.headers.get("Location")!;
    const loginPage = await (await send(`${base}${loginChallenge}`, { headers: { Accept: "text/html", Cookie: session } })).text();
    expect(loginPage).toContain("<h1>Verify it&#39;s you</h1>");
    const loggedIn = await send(`${base}${loginChallenge}`, {
      method: "POST",
      headers: { ...browser, Cookie: session, Origin: base },
      body: new URLSearchParams({ csrf: field(loginPage, "csrf"), factor: "totp", code: totpCode(secret, enrolledAt + 30_000) }).toString(),
    });
    expect(loggedIn.status).toBe(303);
    expect(loggedIn.headers.get("Location")).toBe("/wallet");
    const loginGrant = loggedIn.headers.getSetCookie()[0]!.split(";")[0]!;
    const cookies = `${session}; ${loginGrant}`;
    expect((await send(`${base}/wallet`, { headers: { Accept: "text/html", Cookie: cookies } })).status).toBe(200);

    const form = "amount=50&currency=USD&destination=IBAN%20DE89";
    const submit = (cookie: string) =>
      send(`${base}/wallet/withdraw`, { method: "POST", headers: { ...browser, Cookie: cookie, Referer: `${base}/wallet`, Origin: base }, body: form });
    // Held, so no page in between: straight to the challenge.
    const stopped = await submit(cookies);
    expect(stopped.status).toBe(303);
    const verifyPath = stopped.headers.get("Location")!;
    expect(verifyPath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    const challengePage = await (await send(`${base}${verifyPath}`, { headers: { Accept: "text/html", Cookie: cookies } })).text();
    expect(challengePage).toContain("<h1>Confirm your withdrawal</h1>");
    const verified = await send(`${base}${verifyPath}`, {
      method: "POST",
      headers: { ...browser, Cookie: cookies, Origin: base },
      // The next authenticator code is a time step away; a backup code answers at once.
      body: new URLSearchParams({ csrf: field(challengePage, "csrf"), factor: "backup_code", code: backupCodes[0]! }).toString(),
    });
    expect(verified.status).toBe(303);
    const completePath = verified.headers.get("Location")!;
    expect(completePath).toBe(`${verifyPath}/complete`);
    const withdrawGrant = verified.headers.getSetCookie()[0]!.split(";")[0]!;

    // The browser follows the redirect: the held form is sent to the portal, exactly as filled in,
    // and the portal's own redirect leads to its receipt.
    const done = await send(`${base}${completePath}`, { headers: { Accept: "text/html", Cookie: `${cookies}; ${withdrawGrant}` } });
    expect(done.status).toBe(303);
    const receipt = await send(`${base}${receiptPath(done)}`, { headers: { Accept: "text/html", Cookie: cookies } });
    expect(receipt.status).toBe(200);
    const received = await receipt.text();
    expect(received).toContain("Withdrawal received");
    expect(received).toContain("&quot;amount&quot;: &quot;50&quot;");
    expect(received).toContain("&quot;destination&quot;: &quot;IBAN DE89&quot;");
    // A refresh, a double click, or submitting the form again with the grant: never a second withdrawal.
    const again = await send(`${base}${completePath}`, { headers: { Accept: "text/html", Cookie: `${cookies}; ${withdrawGrant}` } });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already sent");
    const resubmitted = await submit(`${cookies}; ${withdrawGrant}`);
    expect(resubmitted.status).toBe(303);
    expect(resubmitted.headers.get("Location")).not.toBe(verifyPath);
  });

  it("takes the API twin through a challenge with the StepGate-Grant header", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "xavier");
    const token = session.split("=")[1]!;
    const { backupCodes } = await enrollTotpViaApi(base, token);
    // First the session's login step-up, then the withdrawal's own.
    const loginChallenge = await challengeFor(`${base}/api/withdraw`, token, { amount: 10, to: "ACC-1" });
    const loginVerified = await verify(base, token, loginChallenge, "backup_code", backupCodes[1]!);
    const loginGrant = `__Host-stepgate-grant-login=${(await loginVerified.json<{ grant: string }>()).grant}`;
    const stopped = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { Cookie: `${session}; ${loginGrant}`, "Content-Type": "application/json" },
      body: JSON.stringify({ amount: 10, to: "ACC-1" }),
    });
    expect(await stopped.json()).toMatchObject({ code: "step_up_required", operation: "withdraw" });
    const challengeId = stopped.headers.get("WWW-Authenticate")!.match(/challenge="([\w-]+)"/)![1]!;
    const verified = await verify(base, token, challengeId, "backup_code", backupCodes[0]!);
    const { grant } = await verified.json<{ grant: string }>();
    const through = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { Cookie: `${session}; ${loginGrant}`, "Content-Type": "application/json", "StepGate-Grant": grant },
      body: JSON.stringify({ amount: 10, to: "ACC-1" }),
    });
    expect(await through.json()).toEqual({ operation: "withdraw", user: "xavier", received: { amount: 10, to: "ACC-1" } });
  });

  it("keeps a form posted before the login step-up through both challenges (login, then the withdrawal) to the portal, once", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "yara");
    const { backupCodes } = await enrollTotpViaApi(base, session.split("=")[1]!);
    const browser = { Accept: "text/html", "Content-Type": "application/x-www-form-urlencoded" };
    const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
    const answer = async (verifyPath: string, cookies: string, code: string) => {
      const page = await (await send(`${base}${verifyPath}`, { headers: { Accept: "text/html", Cookie: cookies } })).text();
      const response = await send(`${base}${verifyPath}`, {
        method: "POST",
        headers: { ...browser, Cookie: cookies, Origin: base },
        body: new URLSearchParams({ csrf: field(page, "csrf"), factor: "backup_code", code }).toString(),
      });
      expect(response.status).toBe(303);
      return { location: response.headers.get("Location")!, cookie: response.headers.getSetCookie()[0]!.split(";")[0]! };
    };

    // A new session posts the withdraw form straight away: the login guard stops it first, and keeps it.
    const first = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { ...browser, Cookie: session, Referer: `${base}/wallet`, Origin: base },
      body: "amount=77&currency=USD&destination=IBAN%20DE00",
    });
    expect(first.status).toBe(303);
    const loginChallenge = first.headers.get("Location")!;
    const loginPage = await (await send(`${base}${loginChallenge}`, { headers: { Accept: "text/html", Cookie: session } })).text();
    expect(loginPage).toContain("<h1>Verify it&#39;s you</h1>");
    expect(loginPage).toContain("Once you confirm, your request is sent for you, once.");
    const login = await answer(loginChallenge, session, backupCodes[0]!);
    expect(login.location).toMatch(/\/complete$/);

    // Completing it sends the form on, where the withdrawal's own challenge stops it (kept again).
    const cookies = `${session}; ${login.cookie}`;
    const second = await send(`${base}${login.location}`, { headers: { Accept: "text/html", Cookie: cookies } });
    expect(second.status).toBe(303);
    const withdrawChallenge = second.headers.get("Location")!;
    const challengePage = await (await send(`${base}${withdrawChallenge}`, { headers: { Accept: "text/html", Cookie: cookies } })).text();
    expect(challengePage).toContain("<h1>Confirm your withdrawal</h1>");
    expect(challengePage).toContain("You are approving");
    expect(challengePage).toContain("IBAN DE00");
    const withdraw = await answer(withdrawChallenge, cookies, backupCodes[1]!);
    const done = await send(`${base}${withdraw.location}`, { headers: { Accept: "text/html", Cookie: `${cookies}; ${withdraw.cookie}` } });
    expect(done.status).toBe(303);
    const receipt = await send(`${base}${receiptPath(done)}`, { headers: { Accept: "text/html", Cookie: cookies } });
    expect(await receipt.text()).toContain("&quot;amount&quot;: &quot;77&quot;");
    expect((await send(`${base}${withdraw.location}`, { headers: { Accept: "text/html", Cookie: cookies } })).status).toBe(409);
  });
});
