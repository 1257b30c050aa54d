/**
 * Look-alike session names, tried differentially: fast-check writes Cookie headers and session
 * headers from names around the policy's (`portal_session`, `X-Portal-Token`), and reference
 * readers modelled on real servers read the portal session from what the origin received. The
 * promise: whatever any reader reads as the session, stepgate saw as the session (and refused
 * the request when readers could pick different ones), or took it out before the origin.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { aPolicy, aSession, aTenant, send } from "../support/builders";

/** Login-guarded everywhere, 2FA optional: an identified user without factors is let through. */
const guarded = () => aPolicy({ operations: { login: { routes: ["* /*"] } } });

type Reader = (cookie: string) => string | undefined;

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

const unquote = (value: string) => value.trim().replace(/^"(.*)"$/, "$1");
const percentDecode = (text: string) => text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/** Splits `header` on `separators` into [name, value] pairs as a server would. */
function pairs(header: string, separators: RegExp, name: (raw: string) => string): Array<[string, string]> {
  return header
    .split(separators)
    .filter((pair) => pair.includes("="))
    .map((pair) => [name(pair.slice(0, pair.indexOf("="))), unquote(pair.slice(pair.indexOf("=") + 1))]);
}

function reader(separators: RegExp, name: (raw: string) => string, pick: "first" | "last", wanted = "portal_session"): Reader {
  return (header) => {
    const found = pairs(header, separators, name).filter(([n, v]) => n === wanted && v !== "");
    return (pick === "first" ? found[0] : found.at(-1))?.[1];
  };
}

/** PHP: leading spaces dropped, the name url-decoded, then `.`, space and a lone `[` read as `_`. */
function phpName(raw: string): string {
  const name = percentDecode(raw.replace(/\+/g, " ")).replace(/^\s+/, "");
  const bracket = name.indexOf("[");
  const normalised = bracket !== -1 && !name.includes("]", bracket) ? `${name.slice(0, bracket)}_${name.slice(bracket + 1)}` : name;
  return normalised.replace(/[. ]/g, "_");
}

const READERS: Record<string, Reader> = {
  "RFC 6265, first wins": reader(/;/, (n) => n.trim(), "first"),
  "RFC 6265, last wins": reader(/;/, (n) => n.trim(), "last"),
  "PHP (name normalised, first wins)": reader(/;/, phpName, "first"),
  "case-insensitive (ASP.NET), first wins": reader(/;/, (n) => n.trim().toLowerCase(), "first"),
  "case-insensitive, last wins": reader(/;/, (n) => n.trim().toLowerCase(), "last"),
  "comma-splitting, names unescaped (RFC 2965, old Rack)": reader(/[;,]/, (n) => percentDecode(n.trim()), "first"),
  "comma-splitting, last wins": reader(/[;,]/, (n) => n.trim(), "last"),
  "double-decoding names": reader(/;/, (n) => percentDecode(percentDecode(n.trim())), "first"),
};

/** Names around `portal_session`: separators PHP folds, escapes, case, spaces, near misses. */
const cookieName = fc
  .record({
    lead: fc.constantFrom("", " ", "  "),
    first: fc.constantFrom("portal", "Portal", "PORTAL", "portaL"),
    sep: fc.constantFrom("_", ".", " ", "[", "+", "%5F", "%5f", "%255F", "%2E", "-", ""),
    second: fc.constantFrom("session", "Session", "SESSION", "sessio%6E"),
    tail: fc.constantFrom("", "", "", " ", "]", "x"),
  })
  .map(({ lead, first, sep, second, tail }) => `${lead}${first}${sep}${second}${tail}`);
const otherName = fc.constantFrom("theme", "x", "portal", "session", "portal_sessions");

describe("cookies a server could read as the portal session", () => {
  it("are seen by stepgate as the session, refused as ambiguous, or kept from the origin (differential)", async () => {
    const { base } = await aTenant(guarded());
    const alice = await aSession({ sub: "alice", sid: "a-1" });
    const mallory = await aSession({ sub: "mallory", sid: "m-1" });
    const userOf = new Map([
      [alice, "alice"],
      [mallory, "mallory"],
    ]);
    const value = fc.constantFrom(alice, mallory, `"${alice}"`, "not.a.token", "dark");
    const pair = fc.tuple(fc.oneof(cookieName, otherName), value).map(([name, v]) => `${name}=${v}`);
    const separator = fc.constantFrom("; ", ";", ", ", ",", " ;  ");
    const header = fc.array(fc.tuple(pair, separator), { minLength: 1, maxLength: 4 }).map((list) => list.map(([p, s], i) => (i === 0 ? p : s + p)).join(""));

    await fc.assert(
      fc.asyncProperty(header, async (cookie) => {
        const { status, origin, seenStatus, me } = await sendTwice(base, { headers: { Cookie: cookie } });
        if (status === 400) {
          expect(origin.code).toBe("ambiguous_session");
          return;
        }
        expect(status).toBe(200);
        const forwarded = origin.headers.cookie ?? "";
        const user = me.userId ?? null;
        if (user === null) expect(seenStatus).toBe(401);
        for (const [name, read] of Object.entries(READERS)) {
          const session = read(forwarded);
          // Anonymous to stepgate: no reader finds any session. Signed in: only that user's.
          if (session !== undefined) expect({ reader: name, user: userOf.get(session) ?? session }).toEqual({ reader: name, user });
        }
      }),
      { numRuns: 120 },
    );
  });

  it.each([["portal.session"], ["portal session"], ["portal[session"], ["Portal_Session"], ["portal%5Fsession"], [" portal_session"]])(
    "verifies a session sent as %s, and refuses it beside another",
    async (name) => {
      const { base } = await aTenant(guarded());
      const alice = await aSession({ sub: "alice" });
      const me = await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `theme=dark; ${name}=${alice}` } });
      expect(await me.json()).toMatchObject({ userId: "alice" });
      const both = await send(`${base}/echo/x`, { headers: { Cookie: `portal_session=${await aSession({ sub: "mallory" })}; ${name}=${alice}` } });
      expect(both.status).toBe(400);
      expect(await both.json()).toMatchObject({ code: "ambiguous_session" });
    },
  );

  it("refuses a session joined to another cookie by a comma", async () => {
    const { base } = await aTenant(guarded());
    const response = await send(`${base}/echo/x`, { headers: { Cookie: `x=1,portal_session=${await aSession()}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ambiguous_session" });
  });

  it("keeps an unverifiable look-alike from the origin and leaves other cookies alone", async () => {
    const { base } = await aTenant(guarded());
    const response = await send(`${base}/echo/x`, { headers: { Cookie: "theme=dark; portal.session=forged.token.here; lang=en, de" } });
    expect((await response.json<{ headers: Record<string, string> }>()).headers.cookie).toBe("theme=dark; lang=en, de");
  });
});
