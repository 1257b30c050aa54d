/**
 * The alert decisions, without an object: whether an event's alert is sent, skipped or refused
 * (`decideAlert`), and where it goes (`alertAddresses`).
 */
import { describe, expect, it } from "vitest";
import { ALERT_MAX_AGE_MS, ALERT_SEND_TIMEOUT_MS, type AlertState, alertAddresses, decideAlert } from "../../src/state/user/alerts";
import type { HeldAddress } from "../../src/state/user/removed-addresses";

const NOW = Date.UTC(2026, 11, 1, 9, 30);
const request = { at: NOW - 1000, unlimited: false, perKindPerHour: 2, channels: ["email", "sms"] as const };
const state = (fields: Partial<AlertState> = {}): AlertState => ({
  stored: null,
  sentThisHour: 0,
  addresses: [{ channel: "email", to: "ann@acme.test" }],
  ...fields,
});

describe("deciding an event's alert", () => {
  it("sends it to the first address a provider reaches", () => {
    expect(decideAlert(state(), request, NOW)).toEqual({ send: { channel: "email", to: "ann@acme.test" } });
    const phoneFirst = state({
      addresses: [
        { channel: "email", to: "ann@acme.test" },
        { channel: "sms", to: "+14155552671" },
      ],
    });
    expect(decideAlert(phoneFirst, { ...request, channels: ["sms"] }, NOW)).toEqual({ send: { channel: "sms", to: "+14155552671" } });
  });

  it("sends it once: not again once sent or refused, not while another delivery sends it, and again once that one must have ended", () => {
    expect(decideAlert(state({ stored: { state: "sent", at: NOW - 5 } }), request, NOW)).toEqual({ skip: "already_alerted" });
    expect(decideAlert(state({ stored: { state: "refused", at: NOW - 5 } }), request, NOW)).toEqual({ skip: "already_alerted" });
    expect(decideAlert(state({ stored: { state: "sending", at: NOW - 5 } }), request, NOW)).toEqual({ skip: "in_flight" });
    expect(decideAlert(state({ stored: { state: "sending", at: NOW - ALERT_SEND_TIMEOUT_MS } }), request, NOW)).toEqual({
      send: { channel: "email", to: "ann@acme.test" },
    });
  });

  it("refuses one past the kind's budget, unless it is one always told", () => {
    expect(decideAlert(state({ sentThisHour: 2 }), request, NOW)).toEqual({ refuse: "alert_limit" });
    expect(decideAlert(state({ sentThisHour: 2 }), { ...request, unlimited: true }, NOW)).toMatchObject({ send: {} });
  });

  it("refuses one with no address a provider reaches, and skips one older than a week", () => {
    expect(decideAlert(state({ addresses: [] }), request, NOW)).toEqual({ refuse: "no_address" });
    expect(decideAlert(state(), { ...request, channels: ["sms"] }, NOW)).toEqual({ refuse: "no_address" });
    expect(decideAlert(state(), { ...request, at: NOW - ALERT_MAX_AGE_MS - 1 }, NOW)).toEqual({ skip: "too_old" });
  });
});

describe("where an alert goes", () => {
  const held = (kind: string, address: string, addedAt: number, removedAt: number | null = null): HeldAddress => ({ kind, address, addedAt, removedAt });

  it("to the oldest email address the user had when it happened, not one added since or the newest", () => {
    const addresses = [held("email", "intruder@evil.test", 300), held("email", "own@home.test", 100, 400), held("email", "later@home.test", 500)];
    expect(alertAddresses(addresses, "portal@acme.test", 300).map((a) => a.to)).toEqual([
      "own@home.test",
      "intruder@evil.test",
      "portal@acme.test",
      "later@home.test",
    ]);
  });

  it("to the address an event removed, at the moment it removed it", () => {
    expect(alertAddresses([held("email", "own@home.test", 100, 400)], null, 400)[0]).toEqual({ channel: "email", to: "own@home.test" });
    // After it was removed, an event goes to the session's email first.
    expect(alertAddresses([held("email", "own@home.test", 100, 400)], "portal@acme.test", 401).map((a) => a.to)).toEqual(["portal@acme.test"]);
  });

  it("by text only after every email address, each once", () => {
    const addresses = [held("sms", "+14155552671", 100), held("email", "ann@acme.test", 200)];
    expect(alertAddresses(addresses, "ann@acme.test", 300)).toEqual([
      { channel: "email", to: "ann@acme.test" },
      { channel: "sms", to: "+14155552671" },
    ]);
  });
});
