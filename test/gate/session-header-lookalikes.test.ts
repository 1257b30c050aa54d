/**
 * Look-alike session header names, tried differentially like the cookies in
 * session-cookie-lookalikes.test.ts (a file of its own: each file starts a fresh isolate, and
 * hundreds of round trips in one make the next ones slower).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

const guarded = () => aPolicy({ operations: { login: { routes: ["* /*"] } } });

/**
 * What the origin received for `init` on a login-guarded route, and the user stepgate reads from
 * the same credentials (`/__stepgate/api/me`: 200 with a user, 401 anonymous, 400 ambiguous).
 * Both bodies are read, so no response holds a connection open.
 */
async function sendTwice(base: string, init: RequestInit) {
  const [toOrigin, seen] = await Promise.all([send(`${base}/echo/x`, init), send(`${base}/__stepgate/api/me`, init)]);
  const [origin, me] = await Promise.all([
    toOrigin.json<{ code?: string; headers: Record<string, string> }>(),
    seen.json<{ code?: string; userId?: string }>(),
  ]);
  return { status: toOrigin.status, origin, seenStatus: seen.status, me };
}

describe("headers a server could read as the portal session header", () => {
  /** CGI, PHP and nginx's FastCGI read `X-Portal-Token` and `X_Portal_Token` as one variable. */
  const cgi = (pick: "first" | "last") => (headers: Record<string, string>) => {
    const copies = Object.entries(headers)
      .filter(([name]) => name.toUpperCase().replace(/[-.]/g, "_") === "X_PORTAL_TOKEN")
      .flatMap(([, value]) => value.split(","));
    return (pick === "first" ? copies[0] : copies.at(-1))?.trim().replace(/^Bearer\s+/i, "");
  };
  const HEADER_READERS = {
    "exact name": (h: Record<string, string>) => h["x-portal-token"]?.replace(/^Bearer\s+/i, ""),
    "CGI, first": cgi("first"),
    "CGI, last": cgi("last"),
  };

  it("are seen by stepgate as the session, refused as ambiguous, or kept from the origin (differential)", async () => {
    const { base } = await aTenant(guarded());
    const alice = await aSession({ sub: "alice", sid: "a-2" });
    const mallory = await aSession({ sub: "mallory", sid: "m-2" });
    const userOf = new Map([
      [alice, "alice"],
      [mallory, "mallory"],
    ]);
    const name = fc.constantFrom(
      "X-Portal-Token",
      "x-portal-token",
      "X_Portal_Token",
      "x_portal_token",
      "X-Portal_Token",
      "X.Portal.Token",
      "XPortalToken",
      "X-Other",
    );
    const value = fc.constantFrom(alice, mallory, `Bearer ${mallory}`, "not.a.token", `${alice}, ${mallory}`);
    const headers = fc.uniqueArray(fc.tuple(name, value), { minLength: 1, maxLength: 3, selector: ([n]) => n.toLowerCase() });

    await fc.assert(
      fc.asyncProperty(headers, async (list) => {
        const { status, origin, seenStatus, me } = await sendTwice(base, { headers: list });
        if (status === 400) {
          expect(origin.code).toBe("ambiguous_session");
          return;
        }
        expect(status).toBe(200);
        const forwarded = origin.headers;
        const user = me.userId ?? null;
        if (user === null) expect(seenStatus).toBe(401);
        for (const [reader, read] of Object.entries(HEADER_READERS)) {
          const session = read(forwarded);
          if (session !== undefined) expect({ reader, user: userOf.get(session) ?? session }).toEqual({ reader, user });
        }
      }),
      { numRuns: 100 },
    );
  });

  it("refuses X_Portal_Token carrying another user beside X-Portal-Token", async () => {
    const { base } = await aTenant(guarded());
    const response = await send(`${base}/echo/x`, {
      headers: { "X-Portal-Token": await aSession({ sub: "alice" }), X_Portal_Token: await aSession({ sub: "mallory" }) },
    });
    expect(response.status).toBe(400);
  });
});
