/**
 * Vitest global setup (runs in Node): the real servers the worker under test talks to over
 * loopback — the demo portal, a fixture origin for proxy fidelity, JWKS and webhook receivers,
 * and an address where nothing listens. Their URLs and the test signing keys reach the worker
 * as bindings.
 */
import { serve, type ServerType } from "@hono/node-server";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { Hono } from "hono";
import { WebSocketServer } from "ws";
import type { TestProject } from "vitest/node";
import { createDemoPortal } from "../../demo/portal";

declare module "vitest" {
  export interface ProvidedContext {
    smtpPort: number;
    smtpAuthPort: number;
    testOrigin: string;
    demoOrigin: string;
    deadOrigin: string;
    rsaPrivateJwk: string;
    ecPrivateJwk: string;
  }
}

type NodeBindings = { incoming: IncomingMessage; outgoing: ServerResponse };

/**
 * The Standard Webhooks project's own library (CommonJS), loaded by Node itself: through vite's
 * loader it would print a warning about its source map on every run.
 */
const { Webhook } = createRequire(import.meta.url)("standardwebhooks") as typeof import("standardwebhooks");

function writeWorkerAssets(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const written = spawnSync("npx", ["tsx", "scripts/worker-assets.ts"], { cwd: root, encoding: "utf8" });
  if (written.status !== 0) throw new Error(`npm run assets failed:\n${written.stdout}\n${written.stderr}`);
}

export default async function setup(project: TestProject) {
  // The worker reads the words of 14 languages and its OpenAPI document from its assets: written
  // from src/ as they are now (CI checks the committed ones first: npm run assets -- --check).
  // In a process of its own: generating the document imports the worker's modules with what only
  // workerd has stood in for, which Node's loader allows and vitest's does not.
  writeWorkerAssets();
  const maildir = mkdtempSync(join(tmpdir(), "stepgate-mail-"));
  for (const folder of ["tmp", "new", "cur"]) mkdirSync(join(maildir, folder));
  const children: ChildProcess[] = [];
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
  // A key set that is slow (`?ms=`), fails (`?fail=n`: the first n fetches of that URL answer
  // 500), or both: the identity provider's faults.
  fixture.get("/.well-known/jwks-faulty.json", async (c) => {
    const fetched = (jwksFetches.get(c.req.url) ?? 0) + 1;
    jwksFetches.set(c.req.url, fetched);
    await new Promise((resolve) => setTimeout(resolve, Number(c.req.query("ms") ?? 0)));
    return fetched <= Number(c.req.query("fail") ?? 0) ? c.text("identity provider down", 500) : c.json(jwks);
  });
  fixture.get("/__fixture/jwks-fetches", (c) => c.json({ count: jwksFetches.get(c.req.query("url") ?? "") ?? 0 }));
  // Stand-ins for the providers' HTTP APIs: they record what stepgate sent and answer as the
  // real ones document, including their errors.
  const providerRequests: Array<{ path: string; headers: Record<string, string>; body: string }> = [];
  fixture.post("/2010-04-01/Accounts/:sid/Messages.json", async (c) => {
    const body = await c.req.text();
    providerRequests.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers), body });
    const to = new URLSearchParams(body).get("To");
    if (to === "+14155550100") return c.json({ code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }, 400);
    if (to === "+14155550101") return c.json({ code: 20003, message: "Authenticate", status: 401 }, 401);
    if (to === "+14155550102") return c.json({ code: 20429, message: "Too Many Requests", status: 429 }, 429);
    return c.json({ sid: `SM${"0".repeat(32)}`, status: "queued", to }, 201);
  });
  fixture.post("/emails", async (c) => {
    const body = await c.req.text();
    providerRequests.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers), body });
    if (c.req.header("Authorization") !== "Bearer re_test_key") return c.json({ name: "validation_error", message: "API key is invalid" }, 401);
    return c.json({ id: crypto.randomUUID() });
  });
  fixture.get("/__fixture/provider-requests", (c) => c.json(providerRequests));

  // Webhook receivers: `POST /webhooks/<name>` verifies each delivery with the `standardwebhooks`
  // package (the Standard Webhooks project's own implementation, independent of stepgate's)
  // against each secret the test gave the receiver, on its own — during a rotation both must
  // verify — and records what arrived. A receiver answers 204 to a delivery that verifies, 401
  // to one that does not, 500 to its first `failFirst` deliveries, and `status` to every one
  // when set (500: always failing; 410: gone). `PUT /__fixture/webhooks/<name>` sets one up (or
  // changes it, keeping what it received); `GET` lists what it received.
  type ReceivedDelivery = { headers: Record<string, string>; body: string; verifiedWith: number[]; status: number };
  const receivers = new Map<string, { secrets: string[]; failFirst: number; status: number | null; received: ReceivedDelivery[] }>();
  fixture.put("/__fixture/webhooks/:name", async (c) => {
    const { secrets, failFirst = 0, status = null } = await c.req.json<{ secrets: string[]; failFirst?: number; status?: number | null }>();
    receivers.set(c.req.param("name"), { secrets, failFirst, status, received: receivers.get(c.req.param("name"))?.received ?? [] });
    return c.body(null, 204);
  });
  fixture.get("/__fixture/webhooks/:name", (c) => c.json(receivers.get(c.req.param("name"))?.received ?? []));
  fixture.post("/webhooks/:name", async (c) => {
    const receiver = receivers.get(c.req.param("name"));
    if (!receiver) return c.text("no such receiver", 404);
    const body = await c.req.text();
    const headers = Object.fromEntries(c.req.raw.headers);
    const verifiedWith = receiver.secrets.flatMap((secret, index) => {
      try {
        new Webhook(secret).verify(body, headers);
        return [index];
      } catch {
        return [];
      }
    });
    const failing = receiver.received.length < receiver.failFirst;
    const status = receiver.status ?? (failing ? 500 : verifiedWith.length > 0 ? 204 : 401);
    receiver.received.push({ headers, body, verifiedWith, status });
    return c.body(null, status as 204);
  });
  fixture.get("/__fixture/mail", async (c) => c.json(await readMaildir(maildir)));

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
  project.provide("smtpPort", await startSmtp(maildir, children, false));
  project.provide("smtpAuthPort", await startSmtp(maildir, children, true));
  project.provide("rsaPrivateJwk", JSON.stringify({ ...(await exportJWK(rsa.privateKey)), kid: "rsa-1", alg: "RS256" }));
  project.provide("ecPrivateJwk", JSON.stringify({ ...(await exportJWK(ec.privateKey)), kid: "ec-1", alg: "ES256" }));

  return async () => {
    for (const child of children) child.kill();
    sockets.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  };
}

/**
 * A real SMTP server (Debian's python3-aiosmtpd, installed by .ci/run) on loopback, delivering
 * into a Maildir the tests read through the fixture origin.
 */
async function startSmtp(maildir: string, children: ChildProcess[], auth: boolean): Promise<number> {
  const port = Number(new URL(await unusedAddress()).port);
  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const script = fileURLToPath(new URL("./smtp-server.py", import.meta.url));
  const child = spawn(python, [script, String(port), maildir, ...(auth ? ["auth"] : [])], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the test SMTP server did not start (is python3-aiosmtpd installed? see .ci/run): ${stderr}`);
    if (await accepts(port)) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test SMTP server did not listen on ${port}: ${stderr}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Every message delivered so far: recipients, subject and plain-text body. */
async function readMaildir(dir: string): Promise<Array<{ to: string; from: string; subject: string; text: string }>> {
  const folder = join(dir, "new");
  if (!existsSync(folder)) return [];
  return readdirSync(folder).map((name) => {
    const raw = readFileSync(join(folder, name), "utf8");
    const [folded = "", ...rest] = raw.split(/\r?\n\r?\n/);
    // A long header goes on over lines that start with white space (RFC 5322 folding).
    const head = folded.replace(/\r?\n[ \t]+/g, " ");
    const header = (field: string) => decodedHeader(new RegExp(`^${field}: (.*)$`, "im").exec(head)?.[1]?.trim() ?? "");
    let text = rest.join("\n\n");
    if (/quoted-printable/i.test(raw)) text = fromQuotedPrintable(text);
    return { to: header("To"), from: header("From"), subject: header("Subject"), text };
  });
}

/** Quoted-printable text (RFC 2045) as the UTF-8 its bytes spell: `Ger=C3=A4t` → `Gerät`. */
function fromQuotedPrintable(text: string): string {
  const unfolded = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const hex = unfolded[i] === "=" ? /^[0-9A-F]{2}$/i.exec(unfolded.slice(i + 1, i + 3)) : null;
    if (hex) {
      bytes.push(Number.parseInt(hex[0], 16));
      i += 2;
    } else bytes.push(...Buffer.from(unfolded[i]!, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** A header with its RFC 2047 encoded words (`=?UTF-8?Q?Ger=C3=A4t?=`) decoded; the space between two of them is not text. */
function decodedHeader(value: string): string {
  return value.replace(/=\?[\w-]+\?([QB])\?([^?]*)\?=(?:\s+(?==\?))?/gi, (_, kind: string, data: string) =>
    kind.toUpperCase() === "B" ? Buffer.from(data, "base64").toString("utf8") : fromQuotedPrintable(data.replace(/_/g, " ")),
  );
}

/** A loopback port that was free a moment ago and has nothing listening on it now. */
async function unusedAddress(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}
