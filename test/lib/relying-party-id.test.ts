import { describe, expect, it } from "vitest";
import { isPublicSuffix, isRelyingPartyId, rpIdAllowed } from "../../src/lib/relying-party-id";

describe("which relying party IDs a host may use", () => {
  it("allows the host itself, with or without a port", () => {
    expect(rpIdAllowed("portal.acme.com", "portal.acme.com")).toBe(true);
    expect(rpIdAllowed("portal.acme.com", "Portal.Acme.com:8443")).toBe(true);
    expect(rpIdAllowed("localhost", "localhost:8787")).toBe(true);
  });

  it("allows a registrable parent, so one passkey serves portal. and app.", () => {
    expect(rpIdAllowed("acme.com", "portal.acme.com")).toBe(true);
    expect(rpIdAllowed("acme.com", "app.acme.com")).toBe(true);
    expect(rpIdAllowed("acme.co.uk", "portal.acme.co.uk")).toBe(true);
  });

  it("refuses a sibling, a child, or a name that merely ends the same way", () => {
    expect(rpIdAllowed("app.acme.com", "portal.acme.com")).toBe(false);
    expect(rpIdAllowed("x.portal.acme.com", "portal.acme.com")).toBe(false);
    expect(rpIdAllowed("acme.com", "evilacme.com")).toBe(false);
    expect(rpIdAllowed("acme.com", "acme.com.evil.example")).toBe(false);
  });

  it("refuses public suffixes, single-label and the listed multi-label ones", () => {
    expect(rpIdAllowed("com", "portal.acme.com")).toBe(false);
    expect(rpIdAllowed("co.uk", "portal.acme.co.uk")).toBe(false);
    expect(rpIdAllowed("workers.dev", "acme.workers.dev")).toBe(false);
    expect(rpIdAllowed("github.io", "acme.github.io")).toBe(false);
    expect(isPublicSuffix("com")).toBe(true);
    expect(isPublicSuffix("com.au")).toBe(true);
    expect(isPublicSuffix("acme.com")).toBe(false);
  });

  it("refuses IP addresses and what is not a lowercase domain name", () => {
    expect(rpIdAllowed("10.0.0.1", "10.0.0.1")).toBe(false);
    expect(isRelyingPartyId("Acme.com")).toBe(false);
    expect(isRelyingPartyId("acme.com.")).toBe(false);
    expect(isRelyingPartyId("https://acme.com")).toBe(false);
    expect(isRelyingPartyId("acme.com")).toBe(true);
  });
});
