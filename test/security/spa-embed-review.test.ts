/**
 * An attacker's look at the SPA client's server half (issue 19): the embed cookie, the page that
 * ends an embedded challenge, and the RFC 9470 header.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const policy = () => aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["amount"] } } });
const randomId = () => crypto.randomUUID().replace(/-/g, "").slice(0, 22);

async function signedIn() {
  const { base } = await aTenant(policy());
  const token = await aSession({ sub: `spa-review-${crypto.randomUUID()}` });
  return { base, token, cookie: `portal_session=${token}` };
}

const embedCookies = (response: Response) =>
  response.headers.getSetCookie().filter((line) => line.startsWith("__Host-stepgate-embed-") && !/Max-Age=0/.test(line));

describe("the embed cookie is minted only by the client opening a challenge", () => {
  it("is not set by an image (or any subresource) of a portal page, whatever challenge id it names", async () => {
    // An attacker who can put <img> (no script) on a portal page, e.g. in a support message, makes
    // the victim's browser load these same-origin: each would otherwise leave a cookie of the
    // attacker's size, named for an id of the attacker's choice, on every /__stepgate/ request
    // (client.js, completeUrl, the pages) for ten minutes.
    const { base, cookie } = await signedIn();
    const returnTo = `/${"x".repeat(3000)}`;
    for (const path of [`/__stepgate/challenge/${randomId()}`, `/__stepgate/enroll`]) {
      const url = `${base}${path}?embed=redirect&return_to=${encodeURIComponent(returnTo)}${path.endsWith("enroll") ? `&challenge=${randomId()}` : ""}`;
      const image = await send(url, {
        headers: {
          Accept: "image/avif,image/webp,*/*",
          Cookie: cookie,
          "Sec-Fetch-Site": "same-origin",
          "Sec-Fetch-Mode": "no-cors",
          "Sec-Fetch-Dest": "image",
        },
      });
      expect(embedCookies(image), `${path}: ${image.status}`).toEqual([]);
    }
  });

  it("is not set for a challenge this session does not have open, even by a navigation", async () => {
    const { base, cookie } = await signedIn();
    for (const path of [`/__stepgate/challenge/${randomId()}?embed=dialog`, `/__stepgate/enroll?challenge=${randomId()}&embed=dialog`]) {
      const page = await send(`${base}${path}`, {
        headers: { ...browser, Cookie: cookie, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe" },
      });
      expect(embedCookies(page), `${path}: ${page.status}`).toEqual([]);
    }
  });

  it("keeps a redirect's way back short enough for a cookie", async () => {
    const { base, token, cookie } = await signedIn();
    await enrollTotpViaApi(base, token);
    const stopped = await postJson(`${base}/echo/withdraw`, token, { amount: 10 });
    const { challengeUrl } = await stopped.json<{ challengeUrl: string }>();
    const page = await send(`${challengeUrl}?embed=redirect&return_to=${encodeURIComponent(`/${"y".repeat(5000)}`)}`, {
      headers: { ...browser, Cookie: cookie, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" },
    });
    expect(page.status).toBe(200);
    const [set] = embedCookies(page);
    expect(set).toBeDefined();
    // A browser drops a cookie over 4096 bytes: the later pages would then not be embedded.
    expect(set!.split(";")[0]!.length).toBeLessThan(4096);
  });
});

describe("the page that ends an embedded challenge", () => {
  it("tells no window 'verified' when opened with ?embed= for a challenge this session does not have open", async () => {
    // Its script posts { type: "stepgate:verified", challengeId } to its parent at once: framed by
    // a client fed a forged step-up answer, it would end a challenge no one answered. The client
    // frames stepgate's challenge page only (test/node/client-forged-step-up.test.ts); the page
    // itself ends only a challenge whose pages the client opened (its cookie).
    const { base, cookie } = await signedIn();
    const id = randomId();
    const finished = await send(`${base}/__stepgate/challenge/${id}/finished?embed=dialog`, {
      headers: { ...browser, Cookie: cookie, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe" },
    });
    expect(finished.status).toBe(200);
    const html = await finished.text();
    expect(html).not.toContain("stepgate-embed");
    expect(html).not.toContain("stepgate:verified");
    expect(finished.headers.get("Content-Security-Policy")).not.toContain("script-src");
  });
});
