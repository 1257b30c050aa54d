import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

const policy = () =>
  aPolicy({
    enforcement: "required",
    operations: {
      close_account: { routes: ["DELETE /account"] },
      withdraw: { routes: ["POST /api/withdraw"] },
      withdraw_cancel: { routes: ["GET /api/withdraw"] },
    },
  });

async function codeOf(response: Response): Promise<string> {
  return (await response.json<{ code: string }>()).code;
}

describe("method overrides", () => {
  it.each([
    ["X-HTTP-Method-Override", { "X-HTTP-Method-Override": "DELETE" }, ""],
    ["X-HTTP-Method", { "X-HTTP-Method": "delete" }, ""],
    ["X-Method-Override", { "X-Method-Override": "DELETE" }, ""],
    ["_method in the query", {}, "?_method=DELETE"],
    // No "method" as written: the query is parsed whenever an escape could spell it.
    ["_method in the query, every letter escaped", {}, "?x=1&%5F%6D%65%74%68%6F%64=DELETE"],
  ])("match a POST that claims DELETE through %s as the DELETE operation", async (_label, headers, query) => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/account${query}`, {
      method: "POST",
      headers: { ...headers, Cookie: `portal_session=${await aSession()}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toContain('operation="close_account"');
  });

  it("refuses a request whose methods name two different protected operations", async () => {
    const { base } = await aTenant(policy());
    const response = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { "X-HTTP-Method-Override": "GET", Cookie: `portal_session=${await aSession()}` },
    });
    expect(response.status).toBe(400);
    expect(await codeOf(response)).toBe("ambiguous_method");
  });
});

describe("method overrides stepgate does not read", () => {
  it("never reach the origin under another spelling (PHP and CGI read X_HTTP_Method_Override as the header)", async () => {
    const { base } = await aTenant(policy());
    const spellings = ["X_HTTP_Method_Override", "X.HTTP.Method.Override", "X_Method_Override", "X_HTTP_METHOD"];
    const response = await send(`${base}/echo/plain`, {
      method: "POST",
      headers: [...spellings.map((name): [string, string] => [name, "DELETE"]), ["X-Custom", "kept"]],
    });
    expect(response.status).toBe(200);
    const { headers } = await response.json<{ headers: Record<string, string> }>();
    expect(Object.values(headers)).not.toContain("DELETE");
    expect(headers["x-custom"]).toBe("kept");
  });

  it("refuses a _method sent twice or under two spellings", async () => {
    const { base } = await aTenant(policy());
    for (const query of ["?_method=DELETE&_method=GET", "?_METHOD=DELETE", "?_method=GET&_method%5B%5D=DELETE"]) {
      const response = await send(`${base}/account${query}`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
      expect(response.status, query).toBe(400);
      expect(await codeOf(response)).toBe("ambiguous_method");
    }
  });
});
