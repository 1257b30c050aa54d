/**
 * A client's `StepGate-Assurance`, under any spelling, tried differentially against the ways an
 * origin's server could read the header (a file of its own: each file starts a fresh isolate, and
 * hundreds of round trips in one make the next ones slower). Whatever names a client sends, every
 * reader that finds an assurance at the origin must find stepgate's own, never the client's.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ASSURANCE_TYPE } from "../../src/gate/assurance";
import { aPolicy, aTenant, send } from "../support/builders";

type Headers = Record<string, string>;

/**
 * How servers read a request header named `StepGate-Assurance`: by its name in any case (HTTP,
 * Node, most frameworks), and as CGI and PHP do, the name upper-cased with `-` (and, for PHP and
 * several gateways, `.` and space) read as `_` — the first copy or the last, a list split at commas.
 */
const cgi =
  (pick: "first" | "last", separators: RegExp) =>
  (headers: Headers): string | undefined => {
    const copies = Object.entries(headers)
      .filter(([name]) => name.toUpperCase().replace(separators, "_") === "STEPGATE_ASSURANCE")
      .flatMap(([, value]) => value.split(","));
    return (pick === "first" ? copies[0] : copies.at(-1))?.trim();
  };
const READERS: Record<string, (headers: Headers) => string | undefined> = {
  "the name in any case": (headers) => Object.entries(headers).find(([name]) => name.toLowerCase() === "stepgate-assurance")?.[1],
  "CGI, first": cgi("first", /-/g),
  "CGI, last": cgi("last", /-/g),
  "PHP, first": cgi("first", /[-. ]/g),
  "PHP, last": cgi("last", /[-. ]/g),
};

/** A spelling of the name: each letter's case, and what stands between the two words. */
const spelling = fc
  .tuple(fc.array(fc.boolean(), { minLength: 17, maxLength: 17 }), fc.constantFrom("-", "_", ".", "", "%2D", "%5F", "-_"), fc.constantFrom("", "_", "-"))
  .map(([upper, between, after]) => {
    const letters = [..."stepgate", ..."assurance"].map((letter, i) => (upper[i] ? letter.toUpperCase() : letter));
    return `${letters.slice(0, 8).join("")}${between}${letters.slice(8).join("")}${after}`;
  });

describe("a client's StepGate-Assurance, however spelled", () => {
  it("never reaches the origin where any reader would take it for stepgate's (differential)", async () => {
    const { base } = await aTenant(aPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"] } } }));
    const keys = createLocalJWKSet(await (await send(`${base}/__stepgate/.well-known/jwks.json`)).json());
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT({ sub: "mallory", op: "withdraw", amr: ["hwk", "mfa"] })
      .setProtectedHeader({ alg: "ES256", typ: ASSURANCE_TYPE })
      .setExpirationTime("1m")
      .sign(privateKey);
    const sent = fc.uniqueArray(fc.tuple(spelling, fc.constantFrom(forged, `${forged}, ${forged}`, "x")), {
      minLength: 1,
      maxLength: 4,
      selector: ([name]) => name.toLowerCase(),
    });

    await fc.assert(
      fc.asyncProperty(sent, async (list) => {
        const response = await send(`${base}/echo/public`, { headers: list });
        expect(response.status).toBe(200);
        const { headers } = await response.json<{ headers: Headers }>();
        for (const [reader, read] of Object.entries(READERS)) {
          const token = read(headers);
          expect({ reader, token }).toEqual({ reader, token: headers["stepgate-assurance"] });
          const { payload } = await jwtVerify(token!, keys, { algorithms: ["ES256"], typ: ASSURANCE_TYPE, audience: env.TEST_ORIGIN });
          expect(payload.sub).toBeUndefined();
        }
      }),
      { numRuns: 60 },
    );
  });
});
