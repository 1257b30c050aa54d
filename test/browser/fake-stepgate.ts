/**
 * A fake stepgate for the SPA client's browser tests: a node:http server on 127.0.0.1 speaking
 * the client's half of the protocol (docs/spa-client.md) — a portal page loading the built
 * `assets/client.js`, protected endpoints answering stepgate's `401 step_up_required`, hosted
 * challenge pages that post the protocol's messages when a test presses their buttons, a
 * `completeUrl` that sends the held request to "the origin" — and a second origin whose page
 * forges a `stepgate:verified`.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How a protected endpoint answers until its challenge is verified. */
export interface Protection {
  /** stepgate holds the request and sends it at `completeUrl`; else the page sends it again. */
  held: boolean;
  /** Default `step_up_required`: the challenge page; `enrollment_required`: the enrolment page. */
  code?: "step_up_required" | "enrollment_required";
  /** The challenge's time; default five minutes. */
  expiresInMs?: number;
  /** What `completeUrl` answers: the origin's answer (default), a 429, or "unknown challenge". */
  complete?: "origin" | "locked" | "forgotten";
  /** A verified grant lets the request through (default); false: it still steps up. */
  grantWorks?: boolean;
  /** The challenge page's address in the 401 (default stepgate's own, on the page's origin). */
  challengeUrl?: string;
}

/** A request as it arrived. */
export interface Received {
  method: string;
  path: string;
  body: string;
}

interface Challenge {
  id: string;
  path: string;
  protection: Protection;
  request: Received;
  verified: boolean;
  completions: number;
  /** Holds the challenge page's answer until called (to see the dialog before its page loaded). */
  pageHeld?: Promise<void>;
}

export interface FakeStepgate {
  /** The portal's (and stepgate's) origin. */
  origin: string;
  /** Another origin, whose `/forged` page posts a forged `stepgate:verified` to its parent. */
  foreignOrigin: string;
  /** Every request stepgate received, in order. */
  requests: Received[];
  /** Every request that reached the origin behind stepgate (passed, sent again, or completed). */
  originReceived: Received[];
  /** Protects `path` (any method) as `protection` says. */
  protect(path: string, protection: Protection): void;
  /** The challenges made so far, newest last. */
  challenges(): Array<Pick<Challenge, "id" | "path" | "verified" | "completions">>;
  /** Holds the next challenge page's answer until the returned function is called. */
  holdNextPage(): () => void;
  close(): Promise<void>;
}

const CLIENT_SCRIPT = readFileSync("assets/client.js", "utf8");

/**
 * The portal page's policy: scripts from itself only and no inline style at all, as a careful
 * portal's — the client must style its dialog through the CSSOM to work under it.
 */
function portalPolicy(foreignOrigin: string): string {
  return `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${foreignOrigin}; frame-src 'self' ${foreignOrigin}; base-uri 'none'; form-action 'self'`;
}

function portalPage(lang: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Wallet</title></head>
<body>
<main>
<h1>Wallet</h1>
<label for="amount">Amount</label> <input id="amount" name="amount" value="2500">
<button id="send" type="button">Send</button>
</main>
<script src="/client.js"></script>
<script src="/harness.js"></script>
</body>
</html>`;
}

/**
 * What the tests drive the page with: `call` (stepgate.fetch), `callFetch` (the page's own
 * `fetch`, perhaps installed over), `callResume`; each outcome lands in `outcomes[name]`, and every
 * message the page hears in `messagesSeen`. The Send button makes the call `clickCall` describes.
 */
const HARNESS = `
window.outcomes = {};
window.messagesSeen = [];
addEventListener("message", (e) => messagesSeen.push({ origin: e.origin, type: e.data && e.data.type, challengeId: e.data && e.data.challengeId }));
function record(name, promise) {
  outcomes[name] = { state: "pending" };
  promise.then(
    async (r) => { outcomes[name] = r === null ? { state: "resolved", response: null } : { state: "resolved", status: r.status, body: await r.text() }; },
    (e) => { outcomes[name] = { state: "rejected", name: e.name, message: e.message, code: e.code, challengeId: e.challengeId, retryAfter: e.retryAfter, isStepUpError: e instanceof stepgate.StepUpError }; });
}
window.call = (name, url, init, options) => record(name, stepgate.fetch(url, init, options));
window.callFetch = (name, url, init) => record(name, fetch(url, init));
window.callResume = (name) => record(name, stepgate.resume());
document.getElementById("send").addEventListener("click", () => { const c = window.clickCall; call("click", c.url, c.init, c.options); });
if (new URLSearchParams(location.search).get("auto") === "popup") call("auto", "/api/auto", { method: "POST", body: "amount=1" }, { mode: "popup" });
`;

function challengePage(challenge: Challenge, foreignOrigin: string): string {
  const enrol = challenge.protection.code === "enrollment_required";
  const title = enrol ? "Set up two-factor verification" : "Confirm your withdrawal";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
<main data-challenge="${challenge.id}" aria-labelledby="title">
<h1 id="title">${title}</h1>
<p id="said">Enter the code from your authenticator app.</p>
<button id="verify" type="button">Verify</button>
<button id="lock" type="button">Too many attempts</button>
<button id="other" type="button">Speak for another challenge</button>
<a id="cancel" href="#">Cancel</a>
<a id="foreign" href="${foreignOrigin}/forged?challenge=${challenge.id}">Somewhere else</a>
</main>
<script src="/__stepgate/challenge.js"></script>
</body>
</html>`;
}

/** The hosted page's script, as the protocol has it: it posts to its parent (dialog) or opener (popup), to its own origin. */
const CHALLENGE_SCRIPT = `
const query = new URLSearchParams(location.search);
const embed = query.get("embed");
const challengeId = document.querySelector("main").dataset.challenge;
const post = (message) => (embed === "popup" ? window.opener : window.parent).postMessage(message, location.origin);
const cancel = () => post({ type: "stepgate:cancelled", challengeId });
document.getElementById("verify").addEventListener("click", async () => {
  await fetch("/__stepgate/verify/" + challengeId, { method: "POST" });
  if (embed === "redirect") return location.assign(query.get("return_to"));
  post({ type: "stepgate:verified", challengeId });
  if (embed === "popup") window.close();
});
document.getElementById("lock").addEventListener("click", () => {
  document.getElementById("said").textContent = "Too many attempts: try again in 5 minutes.";
  post({ type: "stepgate:locked", challengeId, retryAfter: 300 });
});
document.getElementById("other").addEventListener("click", () => post({ type: "stepgate:verified", challengeId: "another-" + challengeId }));
document.getElementById("cancel").addEventListener("click", (e) => { e.preventDefault(); cancel(); });
addEventListener("keydown", (e) => { if (e.key === "Escape") cancel(); });
`;

/** A same-origin frame of the portal's own (not the challenge's) claiming the challenge was verified. */
const OTHER_FRAME_SCRIPT = `parent.postMessage({ type: "stepgate:verified", challengeId: new URLSearchParams(location.search).get("challenge") }, location.origin);`;

/** The foreign origin's page, led to inside the dialog's frame: it forges the challenge's end. */
const FORGED_SCRIPT = `parent.postMessage({ type: "stepgate:verified", challengeId: new URLSearchParams(location.search).get("challenge") }, "*");`;

function problem(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/problem+json", ...headers });
  res.end(JSON.stringify({ type: "about:blank", title: "Refused", status, ...body }));
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": type, ...headers });
  res.end(body);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  return new RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(req.headers.cookie ?? "")?.[1];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Starts the fake stepgate and its foreign origin on free ports. */
export async function startFakeStepgate(): Promise<FakeStepgate> {
  const protections = new Map<string, Protection>();
  const challenges = new Map<string, Challenge>();
  const requests: Received[] = [];
  const originReceived: Received[] = [];
  let holdPage: (() => Promise<void>) | undefined;
  let origin = "";
  let foreignOrigin = "";

  /** The origin behind stepgate: it echoes what it received. */
  function originAnswer(res: ServerResponse, request: Received): void {
    originReceived.push(request);
    send(res, 201, "application/json", JSON.stringify({ received: request.body, path: request.path, count: originReceived.length }));
  }

  function stepUp(res: ServerResponse, path: string, protection: Protection, request: Received): void {
    const id = `c${challenges.size + 1}-${Math.random().toString(36).slice(2, 8)}`;
    const challenge: Challenge = { id, path, protection, request, verified: false, completions: 0 };
    if (holdPage) {
      challenge.pageHeld = holdPage();
      holdPage = undefined;
    }
    challenges.set(id, challenge);
    const code = protection.code ?? "step_up_required";
    const challengeUrl =
      protection.challengeUrl ?? (code === "enrollment_required" ? `${origin}/__stepgate/enroll?challenge=${id}` : `${origin}/__stepgate/challenge/${id}`);
    problem(
      res,
      401,
      {
        title: "Step-up required",
        detail: "Verify it's you to continue.",
        code,
        challengeId: id,
        operation: "withdraw",
        factors: ["totp"],
        challengeUrl,
        held: protection.held,
        ...(protection.held ? { completeUrl: `${origin}/__stepgate/api/challenges/${id}/complete` } : {}),
        expiresAt: new Date(Date.now() + (protection.expiresInMs ?? 300_000)).toISOString(),
      },
      { "WWW-Authenticate": `StepUp challenge="${id}", operation="withdraw", Bearer error="insufficient_user_authentication", max_age=0` },
    );
  }

  async function complete(req: IncomingMessage, res: ServerResponse, challenge: Challenge | undefined): Promise<void> {
    // As stepgate's own POSTs: JSON only, so no cross-site form can reach it.
    if (req.headers["content-type"] !== "application/json") return problem(res, 415, { code: "unsupported_media_type", detail: "JSON only." });
    if (!challenge || challenge.protection.complete === "forgotten") return problem(res, 404, { code: "challenge_not_found", detail: "No such challenge." });
    if (challenge.protection.complete === "locked") return problem(res, 429, { code: "locked", detail: "Too many attempts." }, { "Retry-After": "60" });
    if (!challenge.verified) return problem(res, 409, { code: "not_verified", detail: "Not verified." });
    if (challenge.completions > 0) return problem(res, 409, { code: "already_completed", detail: "Already sent." });
    challenge.completions++;
    originAnswer(res, challenge.request);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, origin);
    const received: Received = { method: req.method!, path: url.pathname + url.search, body: await bodyOf(req) };
    requests.push(received);
    const path = url.pathname;
    const protection = protections.get(path);
    if (protection) {
      const granted = challenges.get(cookie(req, "stepgate_grant") ?? "");
      if (!protection.held && protection.grantWorks !== false && granted?.verified && granted.path === path) return originAnswer(res, received);
      return stepUp(res, path, protection, received);
    }
    if (path === "/portal") {
      return send(res, 200, "text/html; charset=utf-8", portalPage(url.searchParams.get("lang") ?? "en"), {
        "Content-Security-Policy": portalPolicy(foreignOrigin),
      });
    }
    if (path === "/client.js") return send(res, 200, "text/javascript; charset=utf-8", CLIENT_SCRIPT);
    if (path === "/harness.js") return send(res, 200, "text/javascript; charset=utf-8", HARNESS);
    if (path === "/other-frame")
      return send(res, 200, "text/html; charset=utf-8", `<!doctype html><html lang="en"><title>Other</title><script src="/other-frame.js"></script></html>`);
    if (path === "/other-frame.js") return send(res, 200, "text/javascript", OTHER_FRAME_SCRIPT);
    if (path === "/__stepgate/challenge.js") return send(res, 200, "text/javascript", CHALLENGE_SCRIPT);
    const page = /^\/__stepgate\/challenge\/([\w-]+)$/.exec(path)?.[1] ?? (path === "/__stepgate/enroll" ? url.searchParams.get("challenge") : null);
    const pageChallenge = page ? challenges.get(page) : undefined;
    if (pageChallenge) {
      await pageChallenge.pageHeld;
      return send(res, 200, "text/html; charset=utf-8", challengePage(pageChallenge, foreignOrigin), { "Content-Security-Policy": "frame-ancestors 'self'" });
    }
    const verify = /^\/__stepgate\/verify\/([\w-]+)$/.exec(path)?.[1];
    if (verify && req.method === "POST" && challenges.has(verify)) {
      challenges.get(verify)!.verified = true;
      return send(res, 204, "text/plain", "", { "Set-Cookie": `stepgate_grant=${verify}; Path=/; HttpOnly; SameSite=Lax` });
    }
    const completion = /^\/__stepgate\/api\/challenges\/([\w-]+)\/complete$/.exec(path)?.[1];
    if (completion && req.method === "POST") return complete(req, res, challenges.get(completion));
    if (path === "/api/session-expired") return problem(res, 401, { code: "session_expired", detail: "Sign in again." }, { "WWW-Authenticate": "Bearer" });
    send(res, 404, "text/plain", "not found");
  });

  // The foreign origin: its forged page, and an API answering as if it were stepgate (CORS-readable).
  const foreign = createServer(async (req, res) => {
    const url = new URL(req.url!, foreignOrigin);
    if (url.pathname === "/forged")
      return send(res, 200, "text/html; charset=utf-8", `<!doctype html><html lang="en"><title>Elsewhere</title><script src="/forged.js"></script></html>`);
    if (url.pathname === "/forged.js") return send(res, 200, "text/javascript", FORGED_SCRIPT);
    if (url.pathname === "/api/listed") {
      return problem(
        res,
        401,
        {
          code: "step_up_required",
          challengeId: "foreign",
          challengeUrl: `${origin}/__stepgate/challenge/foreign`,
          held: false,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        },
        { "Access-Control-Allow-Origin": "*" },
      );
    }
    send(res, 404, "text/plain", "not found");
  });

  origin = await listen(server);
  foreignOrigin = await listen(foreign);
  return {
    origin,
    foreignOrigin,
    requests,
    originReceived,
    protect: (path, protection) => protections.set(path, protection),
    challenges: () => [...challenges.values()].map(({ id, path, verified, completions }) => ({ id, path, verified, completions })),
    holdNextPage() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      holdPage = () => held;
      return release;
    },
    async close() {
      server.closeAllConnections();
      foreign.closeAllConnections();
      await Promise.all([new Promise((resolve) => server.close(resolve)), new Promise((resolve) => foreign.close(resolve))]);
    },
  };
}
