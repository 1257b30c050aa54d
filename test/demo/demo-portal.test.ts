import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { DEMO_HOSTS, demoPolicy } from "../../demo/tenant";
import { PolicySchema } from "../../src/config/policy-schema";
import { aTenant, send } from "../support/builders";

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

describe("the demo portal behind stepgate", () => {
  it("is a valid policy for localhost and 127.0.0.1 that maps every built-in operation", () => {
    expect(DEMO_HOSTS).toEqual(["localhost", "127.0.0.1"]);
    const policy = PolicySchema.parse(demoPolicy(env.DEMO_ORIGIN));
    expect(policy).toMatchObject({ enabled: true, enforcement: "optional" });
    expect(Object.keys(policy.operations).sort()).toEqual(
      ["change_password", "deposit", "login", "prop_challenge_fee", "trading_competition_fee", "transfer", "update_email", "withdraw"],
    );
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

  it("lets an unenrolled user withdraw under optional enforcement, and the portal receives the form intact", async () => {
    const { base } = await aTenant(demoPolicy(env.DEMO_ORIGIN));
    const session = await signIn(base, "alice");
    const response = await send(`${base}/wallet/withdraw`, {
      method: "POST",
      headers: { Cookie: session, "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=50&currency=USD&destination=IBAN%20DE89",
    });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("withdraw");
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
    expect(await response.json()).toMatchObject({ code: "enrollment_required", operation: "withdraw" });
  });
});
