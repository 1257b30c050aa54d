/**
 * Path spellings, tried differentially: fast-check writes paths around a protected route and an
 * exempt one, 256 reference readers (every combination of real servers' habits, see
 * test/support/path-readers.ts) read what the origin would receive, and stepgate must either
 * refuse the path or protect it whenever any reader runs the protected route — and exempt it
 * only when every reader stays inside the exemption. Ordinary paths are never refused.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { OperationSchema } from "../../src/config/policy-schema";
import { compileOperations, protectedOperations } from "../../src/gate/operation-match";
import { canonicalPath, exemptionPath, isReservedPath } from "../../src/gate/request-path";
import { ProblemError } from "../../src/lib/problem";
import { ordinaryPath, pathAround, readersOf, readPath, READERS } from "../support/path-readers";

const op = (routes: string[], extra: object = {}) => OperationSchema.parse({ routes, ...extra });
const matcher = compileOperations({ login: op(["* /*"]), withdraw: op(["POST /api/withdraw"]) });

/** The operations stepgate applies to `method path`, or `"refused"` for an ambiguous path. */
function outcome(method: string, path: string): string[] | "refused" {
  const url = new URL(`https://portal.example${path}`);
  try {
    return protectedOperations(matcher, method, url, new Headers()).map((matched) => matched.name);
  } catch (error) {
    if (error instanceof ProblemError && error.code === "ambiguous_path") return "refused";
    throw error;
  }
}

const received = (path: string) => new URL(`https://portal.example${path}`).pathname;
const insideAssets = (read: string) => /^\/(assets|static)(\/|$)/.test(read.toLowerCase());

describe("path spellings against 256 reference readers (differential)", () => {
  it("protects or refuses every path any reader runs as the protected route", () => {
    fc.assert(
      fc.property(pathAround(["api", "withdraw", "Withdraw"]), (path) => {
        const readers = readersOf(received(path), (read) => read === "/api/withdraw");
        const result = outcome("POST", path);
        if (readers.length > 0 && result !== "refused") expect({ path, operations: result }).toEqual({ path, operations: ["login", "withdraw"] });
      }),
      { numRuns: 2000 },
    );
  });

  it("exempts a path from the login guard only when every reader stays inside the exemption", () => {
    const path = fc.tuple(fc.constantFrom("/assets", "/ASSETS", "/static", ""), pathAround(["assets", "account", "x"])).map(([head, tail]) => head + tail);
    fc.assert(
      fc.property(path, (candidate) => {
        const result = outcome("GET", candidate);
        if (result === "refused" || result.includes("login")) return;
        const outside = READERS.map((habits) => readPath(received(candidate), habits)).filter((read) => !insideAssets(read));
        expect({ candidate, outside }).toEqual({ candidate, outside: [] });
      }),
      { numRuns: 2000 },
    );
  });

  it("never refuses an ordinary path", () => {
    fc.assert(
      fc.property(ordinaryPath(), (path) => {
        expect(() => canonicalPath(received(path))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the spellings the review reported", () => {
  it.each([
    ["/api%5cwithdraw", "separator"],
    ["/api%5Cwithdraw", "separator"],
    ["/api%2fwithdraw", "separator"],
    ["/api/withdraw.", "trailing"],
    ["/api/withdraw%20", "trailing"],
    ["/api/withdraw%2e", "trailing"],
    ["/api/withdraw%20.json", "trailing"],
    ["/api/withdraw%00", "control"],
    ["/api/withdraw%00.png", "control"],
    ["/assets/..%5caccount", "separator"],
    ["/assets/..;/account", "dots"],
    ["/api;x/withdraw", "parameters"],
    ["/api/%2577ithdraw", "twice"],
    ["/api/%c0%aewithdraw", "escape"],
    ["/api/%u0077ithdraw", "escape"],
    ["/api/withdraw%3bx", "semicolon"],
  ])("refuses %s (%s)", (path, reason) => {
    expect(() => canonicalPath(received(path))).toThrow(expect.objectContaining({ code: "ambiguous_path", status: 400, extras: { reason } }));
  });

  it.each([
    "/api/withdraw.json",
    "/api/withdraw.xml",
    "/API/Withdraw.HTML",
    "/api/withdraw.tar.gz",
    "/api/withdraw.json;jsessionid=1",
    "/api/withdraw;jsessionid=1",
  ])("protects %s as the route it extends", (path) => {
    expect(outcome("POST", path)).toEqual(["login", "withdraw"]);
  });

  it("lets an operation turn format suffixes off", () => {
    const exact = compileOperations({ withdraw: op(["POST /api/withdraw"], { formatSuffixes: false }) });
    expect(exact.match("POST", "/api/withdraw.json")).toBeNull();
    expect(exact.match("POST", "/api/withdraw")?.name).toBe("withdraw");
    const login = compileOperations({ login: op(["GET /account"], { formatSuffixes: false }) });
    expect(login.loginGuard("GET", "/account.json")).toBeNull();
    expect(compileOperations({ login: op(["GET /account"]) }).loginGuard("GET", "/account.json")?.name).toBe("login");
  });

  it("never widens an exemption by a suffix, nor a :param or * route (they take any name already)", () => {
    expect(outcome("GET", "/favicon.ico")).toEqual([]);
    expect(outcome("GET", "/login.json")).toEqual(["login"]);
    // A last-segment ;param is dropped for protection but kept for exemptions.
    expect(outcome("GET", "/assets/app.css;v=1")).toEqual([]);
    expect(outcome("GET", "/assets;x")).toEqual(["login"]);
    expect(exemptionPath("/Assets/App.css;V=1")).toBe("/assets/app.css;v=1");
    expect(exemptionPath("/assets/;x")).toBe("/assets/;x");
    const orders = compileOperations({ order: op(["POST /orders/:id"]), report: op(["GET /reports/*"]) });
    expect(orders.match("POST", "/orders/7.json")?.name).toBe("order");
    expect(orders.match("GET", "/reports/2026.csv")?.name).toBe("report");
  });

  it("refuses a suffixed path that two operations would claim, one as written and one without the suffix", () => {
    const both = compileOperations({ reports: op(["GET /reports/*"]), export: op(["GET /reports/export"]) });
    expect(() => both.match("GET", "/reports/export.csv")).toThrow(
      expect.objectContaining({ code: "ambiguous_path", extras: expect.objectContaining({ operations: ["reports", "export"] }) }),
    );
    // Naming the suffixed path in the operation that owns it settles it.
    const named = compileOperations({ reports: op(["GET /reports/*"]), export: op(["GET /reports/export", "GET /reports/export.csv"]) });
    expect(named.match("GET", "/reports/export.csv")?.name).toBe("export");
  });
});

describe("the canonical path's one-entry memory", () => {
  it("never answers a refused path from memory, nor a good path with a refusal", () => {
    expect(canonicalPath("/a/B")).toBe("/a/b");
    expect(() => canonicalPath("/a%5cb")).toThrow(ProblemError);
    expect(() => canonicalPath("/a%5cb")).toThrow(ProblemError);
    expect(canonicalPath("/a/B")).toBe("/a/b");
    expect(() => canonicalPath("/a%5cb")).toThrow(ProblemError);
    expect(canonicalPath("/a%5cb".replace("%5c", "/"))).toBe("/a/b");
  });

  it("answers like a fresh computation for any sequence of paths (differential)", () => {
    const anyPath = fc.oneof(pathAround(["a", "b"]), ordinaryPath());
    fc.assert(
      fc.property(fc.array(anyPath, { minLength: 1, maxLength: 6 }), (paths) => {
        const forms = (path: string) => {
          try {
            return [canonicalPath(path), exemptionPath(path)];
          } catch (error) {
            return (error as ProblemError).code;
          }
        };
        // A path never asked before is computed afresh: a unique first segment keeps it apart.
        const fresh = (path: string) => {
          const prefix = `/fresh-${crypto.randomUUID()}`;
          const answer = forms(prefix + path);
          return typeof answer === "string" ? answer : answer.map((form) => (form.startsWith(prefix) ? form.slice(prefix.length) || "/" : form));
        };
        for (const path of [...paths, ...paths.slice().reverse()]) expect(forms(path)).toEqual(fresh(path));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the reserved prefix", () => {
  it.each(["/__stepgate", "/__StepGate/x", "//__stepgate//admin", "/%5F_stepgate/x", "/__stepgate/x;y", "/a/../__stepgate/x"])(
    "still reads %s as reserved",
    (path) => {
      expect(isReservedPath(canonicalPath(received(path)))).toBe(true);
    },
  );

  it.each(["/__stepgate%2fx", "/__stepgate%5cx", "/__stepgate./x", "/__stepgate;x/y"])("refuses %s rather than guessing", (path) => {
    expect(() => canonicalPath(received(path))).toThrow(expect.objectContaining({ code: "ambiguous_path" }));
  });
});
