/**
 * The alert decisions, without an object: whether an event's alert is sent, skipped or refused
 * (`decideAlert`), and where it goes (`alertAddresses`).
 */
import { describe, expect, it } from "vitest";
import { ALERT_MAX_AGE_MS, ALERT_SEND_TIMEOUT_MS, type AlertState, alertAddresses, decideAlert } from "../../src/state/user/alerts";
import type { HeldAddress } from "../../src/state/user/removed-addresses";

const NOW = Date.UTC(2026, 11, 1, 9, 30);
const request = { at: NOW - 1000, unlimited: false, perKindPerHour: 2, channels: ["email", "sms"] as const, addedFactorId: null };
const ANN = { channel: "email", to: "ann@acme.test" } as const;
const PHONE = { channel: "sms", to: "+14155552671" } as const;
const state = (fields: Partial<AlertState> = {}): AlertState => ({
  stored: null,
  sentThisHour: 0,
  addresses: { before: [ANN], since: [] },
  ...fields,
});
const stored = (state: "sending" | "sent" | "refused" | "partial", at: number, delivered: AlertState["addresses"]["before"] = []) => ({ state, at, delivered });

describe("deciding an event's alert", () => {
  it("sends it to the oldest address a provider reaches", () => {
    expect(decideAlert(state(), request, NOW)).toEqual({ send: [ANN] });
    const phoneToo = state({ addresses: { before: [ANN, PHONE], since: [] } });
    expect(decideAlert(phoneToo, request, NOW)).toEqual({ send: [ANN] });
    expect(decideAlert(phoneToo, { ...request, channels: ["sms"] }, NOW)).toEqual({ send: [PHONE] });
    // One added since is used only when the user had none before.
    expect(decideAlert(state({ addresses: { before: [], since: [PHONE, ANN] } }), request, NOW)).toEqual({ send: [PHONE] });
  });

  it("sends the alert of a factor added to every address the user had before, and to the oldest added since only when there was none", () => {
    const added = { ...request, addedFactorId: "f-9" };
    const addresses = { before: [PHONE, ANN], since: [{ channel: "email", to: "later@home.test" } as const] };
    expect(decideAlert(state({ addresses }), added, NOW)).toEqual({ send: [PHONE, ANN] });
    expect(decideAlert(state({ addresses }), { ...added, channels: ["email"] }, NOW)).toEqual({ send: [ANN] });
    expect(decideAlert(state({ addresses: { before: [], since: addresses.since } }), added, NOW)).toEqual({ send: addresses.since });
    expect(decideAlert(state({ addresses: { before: [], since: [] } }), added, NOW)).toEqual({ refuse: "no_address" });
  });

  it("sends it once: not again once sent or refused, not while another delivery sends it, and again once that one must have ended", () => {
    expect(decideAlert(state({ stored: stored("sent", NOW - 5) }), request, NOW)).toEqual({ skip: "already_alerted" });
    expect(decideAlert(state({ stored: stored("refused", NOW - 5) }), request, NOW)).toEqual({ skip: "already_alerted" });
    expect(decideAlert(state({ stored: stored("sending", NOW - 5) }), request, NOW)).toEqual({ skip: "in_flight" });
    expect(decideAlert(state({ stored: stored("sending", NOW - ALERT_SEND_TIMEOUT_MS) }), request, NOW)).toEqual({ send: [ANN] });
  });

  it("sends one that reached some of its addresses to the others alone, past the budget, and not again once it reached all", () => {
    const added = { ...request, addedFactorId: "f-9" };
    const addresses = { before: [PHONE, ANN], since: [] };
    expect(decideAlert(state({ addresses, stored: stored("partial", NOW - 5, [PHONE]) }), added, NOW)).toEqual({ send: [ANN] });
    expect(decideAlert(state({ addresses, stored: stored("partial", NOW - 5, [PHONE]), sentThisHour: 2 }), added, NOW)).toEqual({ send: [ANN] });
    expect(decideAlert(state({ addresses, stored: stored("sending", NOW - 5, [PHONE]) }), added, NOW)).toEqual({ skip: "in_flight" });
    const bothReached = stored("partial", NOW - 5, [PHONE, { channel: "email", to: "Ann@Acme.test" }]);
    expect(decideAlert(state({ addresses, stored: bothReached }), added, NOW)).toEqual({ skip: "already_alerted" });
  });

  it("refuses one past the kind's budget, unless it is one always told", () => {
    expect(decideAlert(state({ sentThisHour: 2 }), request, NOW)).toEqual({ refuse: "alert_limit" });
    expect(decideAlert(state({ sentThisHour: 2 }), { ...request, unlimited: true }, NOW)).toMatchObject({ send: [ANN] });
  });

  it("refuses one with no address a provider reaches, and skips one older than a week", () => {
    expect(decideAlert(state({ addresses: { before: [], since: [] } }), request, NOW)).toEqual({ refuse: "no_address" });
    expect(decideAlert(state(), { ...request, channels: ["sms"] }, NOW)).toEqual({ refuse: "no_address" });
    expect(decideAlert(state(), { ...request, at: NOW - ALERT_MAX_AGE_MS - 1 }, NOW)).toEqual({ skip: "too_old" });
  });
});

describe("where an alert goes", () => {
  const held = (kind: string, address: string, addedAt: number, removedAt: number | null = null, factorId: string | null = `f-${address}`): HeldAddress => ({
    kind,
    address,
    addedAt,
    removedAt,
    factorId,
  });
  const session = (address: string, notedAt: number) => held("email", address, notedAt, null, null);
  const to = (list: ReadonlyArray<{ to: string }>) => list.map((address) => address.to);

  it("to the oldest address the user had before it, by email or text: one added later never takes it away", () => {
    // The owner's phone, then the portal's email, then an email factor an intruder added.
    const addresses = [held("email", "intruder@evil.test", 300), session("owner@home.test", 150), held("sms", "+14155552671", 100)];
    const { before, since } = alertAddresses(addresses, 400, null);
    expect(before).toEqual([
      { channel: "sms", to: "+14155552671" },
      { channel: "email", to: "owner@home.test" },
      { channel: "email", to: "intruder@evil.test" },
    ]);
    expect(since).toEqual([]);
    // A portal email changed since is one of the newest, like any other.
    expect(to(alertAddresses([held("sms", "+14155552671", 100), session("new@evil.test", 500)], 400, null).before)).toEqual(["+14155552671"]);
  });

  it("never counts the factor the event added, nor an address added at the event's moment, as one the user had before", () => {
    const addresses = [held("sms", "+14155552671", 100), session("owner@home.test", 50), held("email", "intruder@evil.test", 300, null, "f-new")];
    // The intruder's email factor, confirmed at the event's time: left out of its own alert.
    expect(alertAddresses(addresses, 300, "f-new")).toEqual({
      before: [
        { channel: "email", to: "owner@home.test" },
        { channel: "sms", to: "+14155552671" },
      ],
      since: [],
    });
    // Another event at that moment: the address is not yet one the user had; it may still be used when there is none before.
    expect(to(alertAddresses(addresses, 300, null).since)).toEqual(["intruder@evil.test"]);
    expect(alertAddresses([held("email", "first@home.test", 300, null, "f-first")], 300, "f-first")).toEqual({ before: [], since: [] });
  });

  it("to the address an event removed, at the moment it removed it; not to one removed before", () => {
    expect(to(alertAddresses([held("email", "own@home.test", 100, 400)], 400, null).before)).toEqual(["own@home.test"]);
    expect(alertAddresses([held("email", "own@home.test", 100, 400)], 401, null)).toEqual({ before: [], since: [] });
    expect(to(alertAddresses([held("email", "own@home.test", 100, 400), session("portal@acme.test", 200)], 401, null).before)).toEqual(["portal@acme.test"]);
  });

  it("names each address once (email without case), and an email before a phone added at the same moment", () => {
    const addresses = [
      held("sms", "+14155552671", 100),
      held("email", "ann@acme.test", 100),
      session("Ann@Acme.test", 200),
      held("email", "ann@acme.test", 500),
    ];
    expect(alertAddresses(addresses, 300, null)).toEqual({
      before: [
        { channel: "email", to: "ann@acme.test" },
        { channel: "sms", to: "+14155552671" },
      ],
      since: [],
    });
  });
});
