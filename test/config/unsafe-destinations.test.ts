/**
 * Where a policy may send stepgate (L6): loopback, private, link-local, metadata and reserved
 * hosts are refused in every URL of a policy and the SMTP host, plain http is refused in
 * production except for the origin, and development allows loopback for the demo and these
 * tests. Checked on the pure rule (both modes), through the admin API (both modes) and on a
 * policy put in KV by hand (it fails closed).
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import fc from "fast-check";
import { endpointRefusal, refusedEndpoint, unsafeDestinations } from "../../src/config/unsafe-destinations";
import { adminHeaders, aJwksSession, aPolicy, aTenant, send } from "../support/builders";

const PRODUCTION = { development: false };
const DEVELOPMENT = { development: true };

const LOOPBACK = ["127.0.0.1", "127.1.2.3", "0x7f.1", "2130706433", "0177.0.0.1", "[::1]", "localhost", "api.localhost", "LOCALHOST."];
const ELSEWHERE = [
  "169.254.169.254",
  "metadata.google.internal",
  "metadata",
  "10.0.0.1",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.1.1",
  "100.64.0.1",
  "0.0.0.0",
  "[fd00::1]",
  "[fe80::1]",
  "[::ffff:10.0.0.1]",
  "[::ffff:127.0.0.1]",
  "[64:ff9b::a9fe:a9fe]",
  "0xa9.0xfe.0xa9.0xfe",
  "2852039166",
  // IPv4-translated (RFC 2765), IPv6 documentation (RFC 9637), SRv6 segment ids (RFC 9602), the 6to4 relay anycast.
  "[::ffff:0:a9fe:a9fe]",
  "[3fff::1]",
  "[5f00::1]",
  "192.88.99.1",
];

/** A policy with `host` in the one field at `path` (a URL there, a bare host for SMTP). */
function withHost(path: string, host: string): unknown {
  const url = `https://${host}/x`;
  switch (path) {
    case "#/origin":
      return { origin: url };
    case "#/identity/jwksUrl":
      return { identity: { jwksUrl: url } };
    case "#/factors/sms/twilio/apiBaseUrl":
      return { factors: { sms: { twilio: { apiBaseUrl: url } } } };
    case "#/factors/email/apiBaseUrl":
      return { factors: { email: { apiBaseUrl: url } } };
    case "#/branding/logoUrl":
      return { branding: { logoUrl: url } };
    default:
      return { factors: { email: { host: host.replace(/^\[(.*)\]$/, "$1") } } };
  }
}
const FIELDS = [
  "#/origin",
  "#/identity/jwksUrl",
  "#/factors/sms/twilio/apiBaseUrl",
  "#/factors/email/apiBaseUrl",
  "#/branding/logoUrl",
  "#/factors/email/host",
];

describe("the destination rule", () => {
  it.each(FIELDS)("refuses every loopback, private, link-local and metadata host in %s in production", (field) => {
    for (const host of [...LOOPBACK, ...ELSEWHERE]) {
      expect(
        unsafeDestinations(withHost(field, host), PRODUCTION).map((e) => e.pointer),
        host,
      ).toEqual([field]);
    }
  });

  it.each(FIELDS)("allows loopback in %s in development, and nothing else of those", (field) => {
    for (const host of ELSEWHERE) expect(unsafeDestinations(withHost(field, host), DEVELOPMENT), host).toHaveLength(1);
    for (const host of ["127.0.0.1", "[::1]", "localhost"]) expect(unsafeDestinations(withHost(field, host), DEVELOPMENT), host).toEqual([]);
  });

  it("refuses plain http in production except for the origin, and allows it in development", () => {
    const policy = {
      origin: "http://portal.example",
      identity: { jwksUrl: "http://idp.example/jwks" },
      factors: { sms: { twilio: { apiBaseUrl: "http://api.twilio.com" } }, email: { apiBaseUrl: "http://api.resend.com" } },
      branding: { logoUrl: "http://cdn.example/logo.png" },
    };
    expect(unsafeDestinations(policy, PRODUCTION).map((e) => e.pointer)).toEqual([
      "#/identity/jwksUrl",
      "#/factors/sms/twilio/apiBaseUrl",
      "#/factors/email/apiBaseUrl",
      "#/branding/logoUrl",
    ]);
    expect(unsafeDestinations(policy, DEVELOPMENT)).toEqual([]);
  });

  it("accepts public https hosts and a canonical SMTP host in production", () => {
    const policy = {
      origin: "https://portal.example",
      identity: { jwksUrl: "https://idp.example/jwks" },
      factors: { email: { host: "smtp.example.com" } },
      branding: { logoUrl: "https://cdn.example/l.png" },
    };
    expect(unsafeDestinations(policy, PRODUCTION)).toEqual([]);
  });

  it("sends a provider's credential only to that provider's domain in production", () => {
    const at = (twilio: string, resend: string) => ({ factors: { sms: { twilio: { apiBaseUrl: twilio } }, email: { apiBaseUrl: resend } } });
    expect(unsafeDestinations(at("https://api.twilio.com", "https://api.resend.com"), PRODUCTION)).toEqual([]);
    expect(unsafeDestinations(at("https://api.dublin.ie1.twilio.com", "https://resend.com"), PRODUCTION)).toEqual([]);
    const elsewhere = at("https://collector.example", "https://twilio.com.evil.example");
    expect(unsafeDestinations(elsewhere, PRODUCTION).map((e) => e.pointer)).toEqual(["#/factors/sms/twilio/apiBaseUrl", "#/factors/email/apiBaseUrl"]);
    expect(unsafeDestinations(at("https://eviltwilio.com", "https://api.resend.com"), PRODUCTION)).toHaveLength(1);
    expect(unsafeDestinations(elsewhere, DEVELOPMENT)).toEqual([]);
  });

  it("asks for the canonical spelling of an SMTP host the socket API might read its own way", () => {
    expect(unsafeDestinations({ factors: { email: { host: "0x7f.1" } } }, DEVELOPMENT)).toEqual([
      { pointer: "#/factors/email/host", detail: expect.stringContaining("127.0.0.1") },
    ]);
    expect(unsafeDestinations({ factors: { email: { host: "smtp.example.com:25" } } }, PRODUCTION)).toHaveLength(1);
  });

  it("reads every IPv4 spelling the way workerd's fetch will, and refuses it exactly when a CIDR table does (1,000 cases × 4 spellings)", () => {
    const table: Array<[number, number]> = [
      [0x00000000, 8],
      [0x0a000000, 8],
      [0x64400000, 10],
      [0x7f000000, 8],
      [0xa9fe0000, 16],
      [0xac100000, 12],
      [0xc0000000, 24],
      [0xc0000200, 24],
      [0xc0586300, 24],
      [0xc0a80000, 16],
      [0xc6120000, 15],
      [0xc6336400, 24],
      [0xcb007100, 24],
      [0xe0000000, 4],
      [0xf0000000, 4],
    ];
    const inTable = (n: number) => table.some(([start, bits]) => n >>> (32 - bits) === start >>> (32 - bits));
    fc.assert(
      fc.property(fc.oneof(fc.nat({ max: 0xffff_ffff }), fc.constantFrom(...table.map(([start]) => start))), (n) => {
        const dotted = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
        for (const spelling of [dotted, String(n), `0x${n.toString(16)}`, `0${n.toString(8)}`]) {
          expect(new URL(`https://${spelling}/`).hostname).toBe(dotted);
          expect(unsafeDestinations({ identity: { jwksUrl: `https://${spelling}/` } }, PRODUCTION).length > 0, spelling).toBe(inTable(n));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("a webhook's endpoint", () => {
  it("is refused on every loopback, private, link-local and metadata host in production, and any but loopback in development", () => {
    for (const host of [...LOOPBACK, ...ELSEWHERE]) expect(refusedEndpoint(`https://${host}/hook`, PRODUCTION), host).not.toBeNull();
    for (const host of ELSEWHERE) expect(refusedEndpoint(`https://${host}/hook`, DEVELOPMENT), host).not.toBeNull();
    for (const host of ["127.0.0.1", "[::1]", "localhost"]) expect(refusedEndpoint(`https://${host}/hook`, DEVELOPMENT), host).toBeNull();
  });

  it("is refused in the special-use ranges that sit beside public ones, and only in them", () => {
    const refused = [
      "[::ffff:0:7f00:1]",
      "[::ffff:0:0a00:1]",
      "[3fff::1]",
      "[3fff:fff:ffff::1]",
      "[5f00::1]",
      "[5f00:ffff::1]",
      "192.88.99.0",
      "192.88.99.255",
    ];
    for (const host of refused) expect(refusedEndpoint(`https://${host}/hook`, PRODUCTION), host).toMatch(/ is a reserved address; /);
    // Their neighbours are public.
    for (const host of ["[::ffff:1:7f00:1]", "[3fff:1000::1]", "[3ffe:ffff::1]", "[5eff:ffff::1]", "[5f01::1]", "192.88.98.255", "192.88.100.0"]) {
      expect(refusedEndpoint(`https://${host}/hook`, PRODUCTION), host).toBeNull();
    }
  });

  it("is https to a public host with no credentials in it (plain http in development only)", () => {
    expect(refusedEndpoint("https://hooks.example.com/stepgate?tenant=acme", PRODUCTION)).toBeNull();
    expect(refusedEndpoint("http://hooks.example.com/stepgate", PRODUCTION)).toMatch(/^use https/);
    expect(refusedEndpoint("http://hooks.example.com/stepgate", DEVELOPMENT)).toBeNull();
    for (const url of ["ftp://hooks.example.com/", "ws://hooks.example.com/", "data:text/plain,x", "//hooks.example.com/", "hooks.example.com"]) {
      expect(refusedEndpoint(url, DEVELOPMENT), url).not.toBeNull();
    }
    expect(refusedEndpoint("https://ops:s3cret@hooks.example.com/", PRODUCTION)).toMatch(/no user name or password/);
  });

  it("says why, for a page to word it: not a URL, not https, credentials in it, or which host and range", () => {
    expect(endpointRefusal("hooks.example.com/stepgate", PRODUCTION)).toEqual({ reason: "not_url" });
    expect(endpointRefusal("http://hooks.example.com/", PRODUCTION)).toEqual({ reason: "not_https" });
    expect(endpointRefusal("ftp://hooks.example.com/", DEVELOPMENT)).toEqual({ reason: "not_https" });
    expect(endpointRefusal("https://ops:s3cret@hooks.example.com/", PRODUCTION)).toEqual({ reason: "credentials" });
    expect(endpointRefusal("https://0x7f.1/hook", PRODUCTION)).toEqual({ reason: "host", host: "127.0.0.1", range: "loopback" });
    expect(endpointRefusal("https://169.254.169.254/", DEVELOPMENT)).toEqual({ reason: "host", host: "169.254.169.254", range: "link-local" });
    expect(endpointRefusal("https://metadata.internal/", DEVELOPMENT)).toEqual({ reason: "host", host: "metadata.internal", range: "internal-name" });
    expect(endpointRefusal("https://hooks.example.com/stepgate", PRODUCTION)).toBeNull();
    // The English words the admin API answers with are the same refusals.
    for (const url of ["hooks.example.com", "http://hooks.example.com/", "https://a:b@hooks.example.com/", "https://10.0.0.1/", "https://hooks.example.com/"]) {
      expect(refusedEndpoint(url, PRODUCTION) === null, url).toBe(endpointRefusal(url, PRODUCTION) === null);
    }
  });

  it("on loopback is refused through the admin API in production, naming #/url", async () => {
    const { default: worker } = await import("../../src/index");
    const production = { ...env, STEPGATE_ENV: "production" } as Env;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const { base } = await aTenant();
    for (const url of ["https://127.0.0.1/hook", "https://0x7f.1/hook", "https://[::1]/hook", "http://hooks.example.com/"]) {
      const response = await worker.fetch(
        new Request(`${base}/__stepgate/admin/v1/webhooks`, { method: "POST", headers: adminHeaders(), body: JSON.stringify({ url, eventTypes: ["*"] }) }),
        production,
        ctx,
      );
      expect(response.status, url).toBe(422);
      expect(await response.json(), url).toMatchObject({ errors: [{ pointer: "#/url" }] });
    }
  });
});

describe("the admin API", () => {
  it("refuses a metadata JWKS URL with a 422 naming the field, even in development", async () => {
    const { base } = await aTenant();
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": "*" }),
      body: JSON.stringify({ identity: { algorithm: "RS256", jwksUrl: "http://169.254.169.254/latest/meta-data/", audience: "portal", secretRef: null } }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ errors: [{ pointer: "#/identity/jwksUrl" }] });
  });

  it("refuses loopback and plain http in production, naming each field", async () => {
    const { default: worker } = await import("../../src/index");
    const production = { ...env, STEPGATE_ENV: "production" } as Env;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const { base } = await aTenant();
    const policy = aPolicy({
      origin: "https://portal.example",
      identity: { algorithm: "RS256", jwksUrl: "https://localhost/jwks", audience: "portal", cookie: "portal_session" },
      branding: { logoUrl: "http://cdn.example/logo.png" },
    });
    const response = await worker.fetch(
      new Request(`${base}/__stepgate/admin/v1/policy`, { method: "PUT", headers: adminHeaders({ "If-Match": "*" }), body: JSON.stringify(policy) }),
      production,
      ctx,
    );
    expect(response.status).toBe(422);
    const pointers = (await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer);
    expect(pointers).toEqual(["#/identity/jwksUrl", "#/branding/logoUrl"]);
  });
});

describe("a policy put in KV by hand", () => {
  it("with a metadata origin refuses every request instead of proxying there", async () => {
    const { base } = await aTenant(aPolicy({ origin: "http://169.254.169.254" }));
    const response = await send(`${base}/latest/meta-data/`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "policy_invalid", detail: expect.stringContaining("origin") });
  });

  it("with a private JWKS URL refuses protected requests and still passes plain ones to its origin", async () => {
    const { base } = await aTenant(
      aPolicy({ identity: { algorithm: "RS256", jwksUrl: "https://10.0.0.5/jwks.json", audience: "portal", cookie: "portal_session" } }),
    );
    const protectedResponse = await send(`${base}/api/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${await aJwksSession("rsa", {}, { audience: "portal" })}` },
    });
    expect(protectedResponse.status).toBe(503);
    expect(await protectedResponse.json()).toMatchObject({ code: "policy_invalid" });
    expect((await send(`${base}/cookies`)).status).toBe(200);
  });

  it("with a loopback origin is refused in production", async () => {
    const { default: worker } = await import("../../src/index");
    const production = { ...env, STEPGATE_ENV: "production" } as Env;
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const { base } = await aTenant();
    const response = await worker.fetch(new Request(`${base}/cookies`), production, ctx);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "policy_invalid" });
  });
});
