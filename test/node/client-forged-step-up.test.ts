/**
 * The SPA client as shipped (`assets/client.js`) against step-up answers that are not stepgate's:
 * an API of another origin the page calls with `stepgate.fetch`, or an answer naming addresses of
 * the portal that are not stepgate's challenge page and completion. Run in a Node `vm` with just
 * enough of a page (a location, a document whose dialog records what it framed, `fetch`, message
 * listeners) to see what the client would frame and where it would POST.
 */
import { readFileSync } from "node:fs";
import { createContext, runInContext } from "node:vm";
import { describe, expect, it } from "vitest";

const CLIENT = readFileSync("assets/client.js", "utf8");
const PORTAL = "https://portal.example";
const ID = "Vd2aQ4bX9kLm0pRsTuVwXy";

interface Page {
  stepgate: { fetch(input: string, init?: RequestInit): Promise<Response> };
  framed: string[];
  sent: Array<{ method: string; url: string; body: string }>;
  /** The message the framed page posts, as the browser delivers it (from the frame, on the portal's origin). */
  postFromFrame(data: unknown): void;
}

/** A portal page at `${PORTAL}/wallet` with the client loaded; `answer` is what the network answers each request with. */
function aPortalPage(answer: (request: Request) => Response): Page {
  const framed: string[] = [];
  const sent: Page["sent"] = [];
  const listeners = new Set<(event: unknown) => void>();
  const frameWindow = { name: "the dialog's frame" };
  const element = (tag: string) => {
    const node: Record<string, unknown> = {
      tagName: tag,
      style: {},
      open: false,
      setAttribute() {},
      append() {},
      remove() {},
      addEventListener() {},
      showModal() {
        node.open = true;
      },
      close() {
        node.open = false;
      },
    };
    if (tag === "iframe") {
      Object.defineProperty(node, "src", { set: (url: string) => framed.push(url) });
      node.contentWindow = frameWindow;
      node.contentDocument = null;
    }
    return node;
  };
  const window: Record<string, unknown> = {
    location: new URL(`${PORTAL}/wallet`),
    document: { documentElement: { lang: "en" }, baseURI: `${PORTAL}/wallet`, body: { append() {} }, createElement: element },
    addEventListener: (type: string, listener: (event: unknown) => void) => type === "message" && listeners.add(listener),
    removeEventListener: (type: string, listener: (event: unknown) => void) => type === "message" && listeners.delete(listener),
    fetch: async (request: Request) => {
      sent.push({ method: request.method, url: request.url, body: await request.clone().text() });
      return answer(request);
    },
    // A page's Request resolves a relative address against the page; Node's has no page.
    Request: class PageRequest extends Request {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        super(typeof input === "string" ? new URL(input, `${PORTAL}/wallet`) : input, init);
      }
    },
    Response,
    Headers,
    URL,
    URLSearchParams,
    AbortSignal,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    console,
  };
  window.window = window;
  const context = createContext(window);
  runInContext(CLIENT, context);
  return {
    stepgate: window.stepgate as Page["stepgate"],
    framed,
    sent,
    postFromFrame: (data) => {
      for (const listener of [...listeners]) listener({ origin: PORTAL, source: frameWindow, data });
    },
  };
}

function stepUp(body: Record<string, unknown>): Response {
  return new Response(
    JSON.stringify({
      type: "about:blank",
      status: 401,
      code: "step_up_required",
      challengeId: ID,
      held: "completeUrl" in body,
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
      ...body,
    }),
    { status: 401, headers: { "Content-Type": "application/problem+json" } },
  );
}

const ok = () => new Response(JSON.stringify({ ok: true }), { status: 200, headers: { "Content-Type": "application/json" } });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the client and a step-up answer that is not stepgate's", () => {
  it("frames stepgate's challenge page and completes at stepgate's completeUrl (the harness sees the real flow)", async () => {
    const page = aPortalPage((request) =>
      new URL(request.url).pathname === "/api/withdraw"
        ? stepUp({ challengeUrl: `${PORTAL}/__stepgate/challenge/${ID}`, completeUrl: `${PORTAL}/__stepgate/api/challenges/${ID}/complete` })
        : ok(),
    );
    const call = page.stepgate.fetch("/api/withdraw", { method: "POST", body: '{"amount":10}' });
    await settle();
    expect(page.framed).toEqual([`${PORTAL}/__stepgate/challenge/${ID}?embed=dialog&lang=en`]);
    page.postFromFrame({ type: "stepgate:verified", challengeId: ID });
    expect((await call).status).toBe(200);
    expect(page.sent.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      `POST ${PORTAL}/api/withdraw {"amount":10}`,
      `POST ${PORTAL}/__stepgate/api/challenges/${ID}/complete {}`,
    ]);
  });

  it("gives another origin's API its 401 as it is: it never frames a page or POSTs on that API's word", async () => {
    // A market-data API the portal calls through stepgate.fetch (or one taken over) answers as if
    // it were stepgate, naming the portal's own /finished page (which posts "verified" at once for
    // any id) and a portal endpoint as completeUrl: the user would see a dialog flash, and the page
    // would POST to the portal with the user's cookies, with no one having verified anything.
    const page = aPortalPage((request) =>
      new URL(request.url).origin === PORTAL
        ? ok()
        : stepUp({ challengeUrl: `${PORTAL}/__stepgate/challenge/${ID}/finished`, completeUrl: `${PORTAL}/api/account/close` }),
    );
    const call = page.stepgate.fetch("https://quotes.example/api/prices");
    await settle();
    page.postFromFrame({ type: "stepgate:verified", challengeId: ID }); // what /finished would post
    const response = await call;
    expect(response.status).toBe(401);
    expect(page.framed).toEqual([]);
    expect(page.sent.map((r) => `${r.method} ${r.url}`)).toEqual(["GET https://quotes.example/api/prices"]);
  });

  it("frames only stepgate's challenge or enrolment page of the answer's own challenge, and POSTs only to its completeUrl", async () => {
    for (const [challengeUrl, completeUrl] of [
      [`${PORTAL}/__stepgate/challenge/${ID}/finished`, `${PORTAL}/__stepgate/api/challenges/${ID}/complete`],
      [`${PORTAL}/__stepgate/challenge/${ID}`, `${PORTAL}/api/account/close`],
      [`${PORTAL}/__stepgate/challenge/${ID}`, `${PORTAL}/__stepgate/api/challenges/Other4bX9kLm0pRsTuVwXy/complete`],
      [`${PORTAL}/profile/avatar.html`, undefined],
      [`${PORTAL}/__stepgate/enroll?challenge=Other4bX9kLm0pRsTuVwXy`, undefined],
    ] as const) {
      const page = aPortalPage((request) => (new URL(request.url).pathname === "/api/quotes" ? stepUp({ challengeUrl, completeUrl }) : ok()));
      const call = page.stepgate.fetch("/api/quotes");
      await settle();
      page.postFromFrame({ type: "stepgate:verified", challengeId: ID });
      const label = `${challengeUrl} → ${completeUrl}`;
      expect((await call).status, label).toBe(401);
      expect(page.framed, label).toEqual([]);
      expect(page.sent.length, label).toBe(1);
    }
  });
});
