/**
 * Vitest global setup (runs in Node): the real servers the worker under test talks to over
 * loopback — the demo portal, a fixture origin for proxy fidelity and JWKS, and an address
 * where nothing listens. Their URLs and the test signing keys reach the worker as bindings.
 */
import { serve, type ServerType } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { Hono } from "hono";
import { WebSocketServer } from "ws";
import type { TestProject } from "vitest/node";
import { createDemoPortal } from "../../demo/portal";

declare module "vitest" {
  export interface ProvidedContext {
    testOrigin: string;
    demoOrigin: string;
    deadOrigin: string;
    rsaPrivateJwk: string;
    ecPrivateJwk: string;
  }
}

type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse };

export default async function setup(project: TestProject) {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const ec = await generateKeyPair("ES256", { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ],
  };

  const fixture = new Hono<{ Bindings: NodeBindings }>();
  const jwksFetches = new Map<string, number>();
  fixture.get("/.well-known/jwks.json", (c) => {
    jwksFetches.set(c.req.url, (jwksFetches.get(c.req.url) ?? 0) + 1);
    return c.json(jwks);
  });
  fixture.get("/__fixture/jwks-fetches", (c) => c.json({ count: jwksFetches.get(c.req.query("url") ?? "") ?? 0 }));
  // Anything unrouted still proves the request reached this origin, and how its path arrived.
  fixture.notFound((c) => c.json({ origin: "fixture", method: c.req.method, path: new URL(c.req.url).pathname }, 404));
  fixture.all("/echo/*", async (c) => {
    const body = await c.req.arrayBuffer();
    const url = new URL(c.req.url);
    return c.json({
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      headers: Object.fromEntries(c.req.raw.headers),
      body: new TextDecoder().decode(body),
      bodySha256: createHash("sha256").update(Buffer.from(body)).digest("hex"),
    });
  });
  fixture.get("/cookies", (c) => {
    c.header("Set-Cookie", "a=1; Path=/; HttpOnly", { append: true });
    c.header("Set-Cookie", "b=2; Path=/; Secure", { append: true });
    return c.text("two cookies");
  });
  fixture.get("/redirect", (c) => c.redirect("/echo/landed", 302));
  fixture.get("/redirect-absolute", (c) => c.redirect(`${new URL(c.req.url).origin}/echo/absolute?x=1`, 301));
  fixture.get("/redirect-away", (c) => c.redirect("https://elsewhere.example/", 302));
  fixture.get("/status/:code", (c) => c.text(`status ${c.req.param("code")}`, Number(c.req.param("code")) as 200));
  fixture.get("/slow", async (c) => {
    await new Promise((resolve) => setTimeout(resolve, Number(c.req.query("ms") ?? 2000)));
    return c.text("finally");
  });
  fixture.get("/reset", (c) => {
    c.env.incoming.socket.destroy();
    return new Promise<Response>(() => {});
  });

  const servers: ServerType[] = [];
  const start = async (fetch: Parameters<typeof serve>[0]["fetch"]) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" });
    servers.push(server);
    await new Promise((resolve) => server.once("listening", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  project.provide("testOrigin", await start(fixture.fetch));
  // WebSocket echo on the fixture origin, to prove upgrades pass through the proxy.
  const sockets = new WebSocketServer({ server: servers[0] as import("node:http").Server, path: "/ws" });
  sockets.on("connection", (socket, request) => {
    socket.send(`hello ${request.headers["x-forwarded-host"] ?? "?"}`);
    socket.on("message", (data) => socket.send(`echo ${data}`));
  });
  project.provide("demoOrigin", await start(createDemoPortal({ jwtSecret: "test-demo-jwt-secret" }).fetch));
  project.provide("deadOrigin", await unusedAddress());
  project.provide("rsaPrivateJwk", JSON.stringify({ ...(await exportJWK(rsa.privateKey)), kid: "rsa-1", alg: "RS256" }));
  project.provide("ecPrivateJwk", JSON.stringify({ ...(await exportJWK(ec.privateKey)), kid: "ec-1", alg: "ES256" }));

  return async () => {
    sockets.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  };
}

/** A loopback port that was free a moment ago and has nothing listening on it now. */
async function unusedAddress(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}
