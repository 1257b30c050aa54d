/**
 * Ambiguous paths and path-override headers through the whole worker: a path servers could
 * read two ways never reaches the origin, whatever the route or the policy; a protected route
 * covers its format suffixes; and the origin never sees a header that names another path.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { pathAround, pathEnding, readersOf } from "../support/path-readers";

const withdrawOnly = () => aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /api/withdraw"], maxAge: 0 } } });
const received = (path: string) => new URL(`https://portal.example${path}`).pathname;

describe("a path servers could read two ways", () => {
  it.each([
    ["POST", "/api%5cwithdraw"],
    ["POST", "/api/withdraw."],
    ["POST", "/api/withdraw%20"],
    ["POST", "/api/withdraw%00"],
    ["GET", "/assets/..%5caccount"],
    ["GET", "/echo/x%2fy"],
  ])("is refused with a problem before the origin: %s %s", async (method, path) => {
    const { base } = await aTenant(
      aPolicy({ enforcement: "required", operations: { login: { routes: ["* /*"] }, withdraw: { routes: ["POST /api/withdraw"] } } }),
    );
    const response = await send(`${base}${path}`, { method, headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ambiguous_path", status: 400 });
  });

  it("is refused on routes no operation claims and when 2FA is off", async () => {
    for (const policy of [aPolicy(), aPolicy({ enabled: false })]) {
      const { base } = await aTenant(policy);
      const response = await send(`${base}/echo/a..%5c..%5cwithdraw`);
      expect(await response.json()).toMatchObject({ code: "ambiguous_path" });
    }
  });

  it("passes ordinary escapes and a last-segment ;jsessionid on untouched", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/echo/My%20Report%C3%A9.pdf;jsessionid=A1`);
    expect(await response.json()).toMatchObject({ path: "/echo/My%20Report%C3%A9.pdf;jsessionid=A1" });
  });
});

describe("a protected route's format suffixes", () => {
  it("are protected as the route: /api/withdraw.json asks for 2FA", async () => {
    const { base } = await aTenant(withdrawOnly());
    const response = await send(`${base}/api/withdraw.json`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "enrollment_required", operation: "withdraw" });
  });

  it("are let through when the operation turns them off", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /echo/withdraw"], formatSuffixes: false } } }));
    const response = await send(`${base}/echo/withdraw.json`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(await response.json()).toMatchObject({ path: "/echo/withdraw.json" });
  });
});

describe("paths around a protected route, through the worker (differential)", () => {
  it("reach the origin only as written and only when no reader runs the protected route", async () => {
    const { base } = await aTenant(withdrawOnly());
    const cookie = `portal_session=${await aSession()}`;
    // The route itself with an ending half of the time, so near misses come often.
    const paths = fc.oneof(
      pathAround(["api", "withdraw"]),
      fc.tuple(fc.constantFrom("/api/withdraw", "/API/Withdraw", "/api//withdraw"), pathEnding).map(([route, end]) => route + end),
    );
    await fc.assert(
      fc.asyncProperty(paths, async (path) => {
        const response = await send(`${base}${path}`, { method: "POST", headers: { Cookie: cookie } });
        const body = await response.json<{ code?: string; origin?: string; path?: string }>();
        if (response.status === 400) return void expect(body.code).toBe("ambiguous_path");
        if (body.origin === "fixture") {
          expect(body.path).toBe(received(path));
          expect(readersOf(received(path), (read) => read === "/api/withdraw")).toEqual([]);
        } else expect(body).toMatchObject({ code: "enrollment_required", operation: "withdraw" });
      }),
      { numRuns: 150 },
    );
  });
});

describe("headers that name another path", () => {
  it("never reach the origin, under any spelling", async () => {
    const { base } = await aTenant();
    const overrides = [
      "X-Original-URL",
      "X-Rewrite-URL",
      "X-Original-URI",
      "X-Forwarded-URI",
      "X-Forwarded-Path",
      "X-Forwarded-Prefix",
      "X-Envoy-Original-Path",
      "X-Override-URL",
      "X_Original_URL",
      "x-original-url",
    ];
    const response = await send(`${base}/echo/x`, { headers: [...overrides.map((name): [string, string] => [name, "/api/withdraw"]), ["X-Custom", "kept"]] });
    const { headers } = await response.json<{ headers: Record<string, string> }>();
    expect(Object.values(headers)).not.toContain("/api/withdraw");
    expect(headers["x-custom"]).toBe("kept");
  });
});
