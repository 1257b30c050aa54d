import { describe, expect, it } from "vitest";
import { OperationSchema } from "../../src/config/policy-schema";
import { compileOperations } from "../../src/gate/operation-match";
import { canonicalPath } from "../../src/gate/request-path";

const op = (routes: string[], extra: object = {}) => OperationSchema.parse({ routes, ...extra });

describe("canonical request paths", () => {
  it.each([
    ["/wallet/withdraw", "/wallet/withdraw"],
    ["/Wallet/WITHDRAW", "/wallet/withdraw"],
    ["//wallet///withdraw/", "/wallet/withdraw"],
    ["/wallet/withdraw;jsessionid=abc", "/wallet/withdraw"],
    ["/wallet/%77ithdraw", "/wallet/withdraw"],
    ["/wallet/./withdraw", "/wallet/withdraw"],
    ["/", "/"],
  ])("reads %s as %s", (raw, canonical) => {
    expect(canonicalPath(raw)).toBe(canonical);
  });

  // Read as /wallet/withdraw until issue 14 (M3): servers disagree, so these are now refused.
  it.each(["/wallet%2Fwithdraw", "/x/..%2Fwallet/withdraw", "/bad%zzescape"])("refuses %s as ambiguous", (raw) => {
    expect(() => canonicalPath(raw)).toThrow(expect.objectContaining({ code: "ambiguous_path" }));
  });
});

describe("matching a request to one operation", () => {
  const matcher = compileOperations({
    login: op(["* /*"], { exempt: ["* /login", "GET /assets/*"] }),
    wallet_any: op(["POST /wallet/*"]),
    withdraw: op(["POST /wallet/withdraw"]),
    order: op(["POST /orders/:id"]),
    order_cancel: op(["POST /orders/:id/cancel", "* /orders/special"]),
    special_post: op(["POST /orders/special"]),
    multi: op(["PUT|PATCH /profile"]),
    off: op(["DELETE /account"], { enabled: false }),
  });
  const nameOf = (method: string, path: string) => matcher.match(method, path)?.name ?? (matcher.loginGuard(method, path) ? "login" : null);

  it("prefers a literal path over a wildcard", () => {
    expect(nameOf("POST", "/wallet/withdraw")).toBe("withdraw");
    expect(nameOf("POST", "/wallet/deposit")).toBe("wallet_any");
  });

  it("prefers a literal segment over a :param", () => {
    expect(nameOf("POST", "/orders/special")).toBe("special_post");
    expect(nameOf("POST", "/orders/42")).toBe("order");
    expect(nameOf("POST", "/orders/42/cancel")).toBe("order_cancel");
  });

  it("prefers a named method over * for the same path", () => {
    expect(nameOf("POST", "/orders/special")).toBe("special_post");
    expect(nameOf("GET", "/orders/special")).toBe("order_cancel");
  });

  it("matches any of several methods joined by |", () => {
    expect(nameOf("PUT", "/profile")).toBe("multi");
    expect(nameOf("PATCH", "/profile")).toBe("multi");
    expect(nameOf("POST", "/profile")).toBe("login");
  });

  it("falls back to a catch-all and honours its exemptions", () => {
    expect(nameOf("GET", "/dashboard")).toBe("login");
    expect(nameOf("GET", "/login")).toBeNull();
    expect(nameOf("POST", "/login")).toBeNull();
    expect(nameOf("GET", "/assets/app.css")).toBeNull();
    expect(nameOf("POST", "/assets/upload")).toBe("login");
  });

  it("keeps login apart: it guards specific operations' routes too, but never is one", () => {
    expect(matcher.match("POST", "/wallet/withdraw")?.name).toBe("withdraw");
    expect(matcher.loginGuard("POST", "/wallet/withdraw")?.name).toBe("login");
    expect(matcher.match("GET", "/dashboard")).toBeNull();
  });

  it.each(["GET /favicon.ico", "GET /static/app.js", "POST /logout", "GET /signin", "POST /signout"])("never guards %s with login by default", (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const onlyLogin = compileOperations({ login: op(["* /*"]) });
    expect(onlyLogin.loginGuard(method, path)).toBeNull();
    expect(onlyLogin.loginGuard("GET", "/wallet")).not.toBeNull();
  });

  it("leaves disabled operations out", () => {
    expect(nameOf("DELETE", "/account")).toBe("login");
  });

  it("matches HEAD as GET", () => {
    expect(nameOf("HEAD", "/dashboard")).toBe("login");
  });

  it.each(["/WALLET/Withdraw", "/wallet//withdraw", "/wallet/withdraw/", "/wallet/withdraw;x=1", "/wallet/%77ithdraw"])(
    "cannot be dodged by spelling the path %s",
    (path) => {
      expect(nameOf("POST", path)).toBe("withdraw");
    },
  );

  it("matches nothing when no operation claims the route", () => {
    const only = compileOperations({ withdraw: op(["POST /wallet/withdraw"]) });
    expect(only.match("GET", "/wallet/withdraw")).toBeNull();
    expect(only.match("POST", "/wallet")).toBeNull();
  });

  it("lets the operation listed first win a tie", () => {
    const tie = compileOperations({ first: op(["POST /pay"]), second: op(["POST /pay"]) });
    expect(tie.match("POST", "/pay")?.name).toBe("first");
  });
});
