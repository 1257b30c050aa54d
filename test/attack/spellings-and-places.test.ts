/**
 * Attack probe (attack20): a webhook URL shown to admins as written, not as it is fetched; and
 * the place of a sign-in read from what Cloudflare placed, never from headers a client sends.
 */
import { describe, expect, it } from "vitest";
import { requestOrigin } from "../../src/state/user/audit";
import { aTenant } from "../support/builders";
import { webhooksApi } from "../support/webhooks";

describe("attack: a webhook URL with characters the URL parser drops", () => {
  // fetch() goes to https://siem.acme.example.evil.example/hook; the list showed the tab and the line break.
  // The fix refuses such a URL outright (422 naming #/url: nothing to list) rather than storing
  // its parsed form, and stores every URL it takes as fetch reads it, so the probe checks both.
  it("refuses a URL with a tab or line break (dropped by fetch), naming #/url", async () => {
    const { base } = await aTenant();
    const written = "https://siem.acme.example\t.evil.example/\nhook";
    const response = await webhooksApi(base, "POST", "/webhooks", { url: written, eventTypes: ["*"] });
    expect(response.status).toBe(422);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((error) => error.pointer)).toEqual(["#/url"]);
    expect(await (await webhooksApi(base, "GET", "/webhooks")).json()).toEqual({ webhooks: [] });
  });

  it("stores and shows the URL as it will be fetched (an ideographic full stop is a dot to the parser)", async () => {
    const { base } = await aTenant();
    const written = "https://siem.acme.example\u3002evil.example/hook";
    const response = await webhooksApi(base, "POST", "/webhooks", { url: written, eventTypes: ["*"] });
    expect(response.status).toBe(201);
    const { url } = await response.json<{ url: string }>();
    expect(url).toBe(new URL(written).href);
    expect(url).toBe("https://siem.acme.example.evil.example/hook");
  });
});

describe("attack: a client's own place headers", () => {
  it("never takes the country, city or network from CF-IPCountry, CF-IPCity or X-Forwarded-For", () => {
    const request = new Request("https://portal.test/", {
      headers: { "CF-IPCountry": "DE", "CF-IPCity": "Berlin", "X-Forwarded-For": "84.128.0.1", "CF-Connecting-IP": "203.0.113.9" },
      cf: { country: "KP", city: "Pyongyang", asn: 131279 },
    } as RequestInit);
    expect(requestOrigin(request)).toMatchObject({ country: "KP", city: "Pyongyang", asn: 131279 });
    expect(requestOrigin(new Request("https://portal.test/", { headers: { "CF-IPCountry": "DE" } }))).toMatchObject({ country: null, city: null, asn: null });
  });
});
