import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

const loginGuarded = () =>
  aPolicy({
    enforcement: "required",
    operations: { login: { routes: ["* /*"], exempt: ["* /login"] }, withdraw: { routes: ["POST /api/withdraw"], maxAge: 0 } },
  });

describe("more than one portal session in a request", () => {
  it("refuses two different session cookies", async () => {
    const { base } = await aTenant(loginGuarded());
    const response = await send(`${base}/echo/x`, { headers: { Cookie: `portal_session=junk; portal_session=${await aSession()}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ambiguous_session" });
  });

  it("refuses a cookie and a header that disagree", async () => {
    const { base } = await aTenant(loginGuarded());
    const response = await send(`${base}/echo/x`, {
      headers: { Cookie: `portal_session=${await aSession({ sub: "alice" })}`, "X-Portal-Token": await aSession({ sub: "mallory" }) },
    });
    expect(response.status).toBe(400);
  });

  it("accepts the same token sent twice", async () => {
    const { base } = await aTenant(loginGuarded());
    const token = await aSession();
    const response = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${token}`, "X-Portal-Token": token } });
    expect(await response.json()).toMatchObject({ code: "enrollment_required" });
  });
});

describe("a request the login guard lets through without a verified session", () => {
  it("does not pass the unverifiable session cookie or header on to the origin", async () => {
    const { base } = await aTenant(loginGuarded());
    const response = await send(`${base}/echo/x`, {
      headers: { Cookie: "theme=dark; portal_session=forged.token.here", "X-Portal-Token": "forged.token.here" },
    });
    expect(response.status).toBe(200);
    const echo = await response.json<{ headers: Record<string, string> }>();
    expect(echo.headers.cookie).toBe("theme=dark");
    expect(echo.headers["x-portal-token"]).toBeUndefined();
  });

  it("passes cookies untouched on routes no operation claims", async () => {
    const { base } = await aTenant(loginGuarded());
    const response = await send(`${base}/login`, { headers: { Cookie: "portal_session=whatever; a=1" } });
    expect(await response.json()).toMatchObject({ origin: "fixture", path: "/login" });
  });
});
