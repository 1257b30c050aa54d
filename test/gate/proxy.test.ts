import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { aPolicy, aTenant, send } from "../support/builders";
import { expectErrorLogs } from "../support/expected-logs";

describe("pass-through to the origin", () => {
  it("forwards method, path, query, headers and body untouched", async () => {
    const { base, host } = await aTenant();
    const response = await send(`${base}/echo/orders/7?sort=desc&x=%2F`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-Custom": "kept", Connection: "keep-alive, X-Hop", "X-Hop": "dropped" },
      body: JSON.stringify({ qty: 3 }),
    });
    expect(response.status).toBe(200);
    const echo = await response.json<{ method: string; path: string; query: string; headers: Record<string, string>; body: string }>();
    expect(echo.method).toBe("PATCH");
    expect(echo.path).toBe("/echo/orders/7");
    expect(echo.query).toBe("?sort=desc&x=%2F");
    expect(echo.body).toBe('{"qty":3}');
    expect(echo.headers["x-custom"]).toBe("kept");
    expect(echo.headers["x-hop"]).toBeUndefined();
    expect(echo.headers["x-forwarded-host"]).toBe(host);
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
  });

  it("gives the origin the client's address and host as Cloudflare saw them, never as the client claims them", async () => {
    const { base, host } = await aTenant();
    const claims: Array<[string, string]> = [
      ["Forwarded", "for=8.8.8.8;host=evil.example;proto=https"],
      ["X-Real-IP", "9.9.9.9"],
      ["True-Client-IP", "9.9.9.9"],
      ["X-Client-IP", "9.9.9.9"],
      ["X-Forwarded-For", "9.9.9.9"],
      ["X_Forwarded_Host", "evil.example"],
      ["X-Forwarded-Port", "8443"],
      ["X-Forwarded-Scheme", "http"],
      ["X-Host", "evil.example"],
      ["X-Original-Host", "evil.example"],
      ["x.real.ip", "9.9.9.9"],
      ["Client-IP", "9.9.9.10"],
      ["Forwarded-For", "9.9.9.11"],
      ["X-Forwarded", "for=9.9.9.30"],
      ["X-Originating-IP", "9.9.9.12"],
      ["X-ProxyUser-Ip", "9.9.9.13"],
      ["Fastly-Client-IP", "9.9.9.14"],
      ["X-AppEngine-User-IP", "9.9.9.15"],
      ["Akamai-Client-IP", "9.9.9.16"],
      ["CF-Connecting-IPv6", "2001:db8::9"],
      ["X-Forwarded-For-Original", "9.9.9.17"],
      ["Client_IP", "9.9.9.18"],
      ["akamai.client.ip", "9.9.9.19"],
      ["CF_Connecting_IP", "9.9.9.20"],
      // Names that start with punctuation: the look-alike key drops or decodes their first character.
      ["_X-Real-IP", "9.9.9.21"],
      ["-X-Real-IP", "9.9.9.22"],
      [".X-Forwarded-For", "9.9.9.23"],
      ["%58-Forwarded-For", "9.9.9.24"],
      ["~Forwarded", "for=9.9.9.25"],
      ["_True-Client-IP", "9.9.9.26"],
      ["_CF-Connecting-IP", "9.9.9.27"],
      ["X-Original-Forwarded-For", "9.9.9.28"],
      ["Cf-Pseudo-IPv4", "9.9.9.29"],
      ["Proxy-Client-IP", "9.9.9.31"],
      ["WL-Proxy-Client-IP", "9.9.9.32"],
      ["X-Remote-IP", "9.9.9.33"],
      ["X-Remote-Addr", "9.9.9.34"],
      ["X-Azure-ClientIP", "9.9.9.35"],
      ["X-Envoy-External-Address", "9.9.9.36"],
      ["_X-Original-URL", "/overridden-path-37"],
      ["-X-HTTP-Method-Override", "PROPFIND"],
    ];
    const response = await send(`${base}/echo/who`, { headers: [...claims, ["CF-Connecting-IP", "203.0.113.5"], ["X-Custom", "kept"]] });
    const { headers } = await response.json<{ headers: Record<string, string> }>();
    // Absent by name (but the three stepgate sets itself) and by value, under whatever name.
    const setByStepgate = new Set(["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"]);
    const arrived = (name: string, value: string) =>
      (!setByStepgate.has(name.toLowerCase()) && name.toLowerCase() in headers) || Object.values(headers).includes(value);
    expect(claims.filter(([name, value]) => arrived(name, value)).map(([name]) => name)).toEqual([]);
    // The platform's own header is what stepgate reads and tells the origin in X-Forwarded-For.
    expect(headers["x-forwarded-for"]).toBe("203.0.113.5");
    expect(headers["x-forwarded-host"]).toBe(host);
    expect(headers["x-custom"]).toBe("kept");
  });

  it.each(["GET", "POST", "PUT", "DELETE", "OPTIONS"])("passes %s through", async (method) => {
    const { base } = await aTenant();
    const response = await send(`${base}/echo/m`, { method, body: method === "GET" ? undefined : "payload" });
    const echo = await response.json<{ method: string; body: string }>();
    expect(echo.method).toBe(method);
    expect(echo.body).toBe(method === "GET" ? "" : "payload");
  });

  it("streams a large upload to the origin intact", async () => {
    const { base } = await aTenant();
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i % 251);
    const chunks = 48; // 3 MiB
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const expected = new Uint8Array(chunk.length * chunks);
    for (let i = 0; i < chunks; i++) expected.set(chunk, i * chunk.length);
    const digest = await crypto.subtle.digest("SHA-256", expected);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const response = await send(`${base}/echo/upload`, { method: "POST", body, duplex: "half" } as RequestInit);
    expect((await response.json<{ bodySha256: string }>()).bodySha256).toBe(hex);
  });

  it("returns every Set-Cookie the origin sent", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/cookies`);
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/; HttpOnly", "b=2; Path=/; Secure"]);
  });

  it("passes redirects back instead of following them", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/redirect`);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/echo/landed");
  });

  it("points redirects to the origin's own address back at the public host", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/redirect-absolute`);
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe(`${base}/echo/absolute?x=1`);
  });

  it("leaves redirects to other sites alone", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/redirect-away`);
    expect(response.headers.get("Location")).toBe("https://elsewhere.example/");
  });

  it("passes origin error statuses through", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/status/418`);
    expect(response.status).toBe(418);
    expect(await response.text()).toBe("status 418");
  });

  it("answers 502 problem when the origin is down", async () => {
    const { base } = await aTenant(aPolicy({ origin: env.DEAD_ORIGIN }));
    const errors = expectErrorLogs();
    const response = await send(`${base}/anything`);
    expect(response.status).toBe(502);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 502, code: "origin_unreachable" });
    expect(errors).toHaveBeenCalledWith("stepgate: origin unreachable", new URL(env.DEAD_ORIGIN).origin, expect.any(Error));
  });

  it("shows browsers a page, not JSON, when the origin is down", async () => {
    const { base } = await aTenant(aPolicy({ origin: env.DEAD_ORIGIN }));
    const errors = expectErrorLogs();
    const response = await send(`${base}/`, { headers: { Accept: "text/html,application/xhtml+xml" } });
    expect(response.status).toBe(502);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("Origin unreachable");
    expect(errors).toHaveBeenCalledWith("stepgate: origin unreachable", new URL(env.DEAD_ORIGIN).origin, expect.any(Error));
  });

  it("answers 502 when the origin resets the connection", async () => {
    const { base } = await aTenant();
    const errors = expectErrorLogs();
    const response = await send(`${base}/reset`);
    expect(response.status).toBe(502);
    expect(errors).toHaveBeenCalledWith("stepgate: origin unreachable", new URL(env.TEST_ORIGIN).origin, expect.any(Error));
  });

  it("answers 504 problem instead of hanging on a slow origin", async () => {
    const { base } = await aTenant(aPolicy({ originTimeoutMs: 200 }));
    const started = Date.now();
    const response = await send(`${base}/slow?ms=3000`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ code: "origin_timeout" });
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe("reserved prefix", () => {
  it.each(["/__stepgate/nope", "/__StepGate/x", "//__stepgate//admin", "/%5F_stepgate/x", "/a/../__stepgate/x"])(
    "never proxies %s to the origin",
    async (path) => {
      const { base } = await aTenant();
      const response = await send(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    },
  );

  // A 404 until issue 14 (M3): a ;param before the last segment is now an ambiguous path.
  it("never proxies /__stepgate;x=1/y to the origin either", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/__stepgate;x=1/y`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ambiguous_path" });
  });

  it("answers the health check without a tenant", async () => {
    const response = await send("https://no-tenant.example/__stepgate/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("WebSocket upgrades", () => {
  it("pass through to the origin in both directions", async () => {
    const { base, host } = await aTenant();
    const response = await send(`${base}/ws`, { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(101);
    const socket = response.webSocket!;
    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      socket.addEventListener("message", (event) => {
        received.push(String(event.data));
        if (received.length === 2) resolve();
      });
    });
    socket.accept();
    socket.send("ping");
    await done;
    socket.close();
    expect(received).toEqual([`hello ${host}`, "echo ping"]);
  });
});

describe("paths that look like other hosts", () => {
  it("keeps a //host/… path on the tenant's origin", async () => {
    const { base } = await aTenant();
    const other = new URL(env.DEMO_ORIGIN).host;
    const response = await send(`${base}//${other}/login`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ origin: "fixture", method: "GET", path: `//${other}/login` });
  });
});
