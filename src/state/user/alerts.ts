/**
 * @module
 * Security alerts in the user's object (docs/notifications.md). The consumer of the
 * `stepgate-notifications` queue claims an event's alert here before it sends it, and reports
 * after whether it was delivered. The object keeps each event's alert once, by its stream id
 * (the queue delivers at least once), counts it against the kind's hourly budget, and says where
 * it goes (an address the user had when the event happened) and in which language and time zone. What to do is {@link decideAlert}'s, a pure
 * function of what is stored; a claim reads and writes in one synchronous step, so two
 * deliveries of one event racing each other cannot both send it.
 */
import type { AlertKind } from "../../config/notification-settings";
import type { Language } from "../../config/languages";
import type { UserContext } from "./context";
import { maskAddress } from "./factors";
import { type HeldAddress, heldAddresses } from "./removed-addresses";
import { rememberedLanguage, rememberedTimeZone } from "./settings";

export type AlertChannel = "email" | "sms";

/** An alert older than this is not sent (a dead letter replayed weeks later would only confuse). */
export const ALERT_MAX_AGE_MS = 7 * 86_400_000;
/** Alerts are remembered longer than they may be sent, so an event is never alerted twice. */
const ALERTS_REMEMBERED_MS = ALERT_MAX_AGE_MS + 86_400_000;
/** … and at most this many (an alert refused for the budget is remembered too). */
const ALERTS_KEPT = 5_000;
/**
 * A send that never reported back (its consumer was stopped mid-send) may be taken over after
 * this: longer than a delivery takes (each provider gives up on a step after 10 s). Taking it
 * over may send it twice, when the first did leave; never sending it would be worse.
 */
export const ALERT_SEND_TIMEOUT_MS = 60_000;
const HOUR_MS = 3_600_000;

/** What the consumer asks for: the alert of one event. */
export interface AlertRequest {
  eventId: string;
  /** The event's audit type (`device.trusted`), named in the audit entry of the alert. */
  type: string;
  kind: AlertKind;
  /** When the event happened (epoch ms). */
  at: number;
  /** Sent whatever the budget says: a lock until an admin unlocks happens once until then. */
  unlimited: boolean;
  /** The policy's `notifications.perKindPerHour`. */
  perKindPerHour: number;
  /** The channels the tenant's providers deliver on now. */
  channels: readonly AlertChannel[];
}

/** Where and how to send the alert, or why not. */
export type AlertClaim =
  | { ok: true; channel: AlertChannel; to: string; language: Language | null; timeZone: string | null }
  | { ok: false; reason: AlertSkip | AlertRefusal };

/** Nothing to send now: sent (or refused) before, being sent by another delivery, or too old. */
type AlertSkip = "already_alerted" | "in_flight" | "too_old";
/**
 * Not sent, and remembered: the kind's budget is spent (audited as `alert.refused`: the user
 * missed one), or the user has no address a provider can reach (not audited: the directory shows
 * a user without one, and every alert of theirs would say so again).
 */
type AlertRefusal = "alert_limit" | "no_address";

/** What the decision reads. */
export interface AlertState {
  /** This event's alert as stored: being sent since `at`, sent, or refused. */
  stored: { state: "sending" | "sent" | "refused"; at: number } | null;
  /** Alerts of the event's kind sent or being sent in the last hour, this one aside. */
  sentThisHour: number;
  /** Where an alert may go, best first. */
  addresses: ReadonlyArray<{ channel: AlertChannel; to: string }>;
}

export type AlertDecision = { send: { channel: AlertChannel; to: string } } | { skip: AlertSkip } | { refuse: AlertRefusal };

/**
 * What to do with an event's alert.
 * @example
 * decideAlert({ stored: null, sentThisHour: 0, addresses: [{ channel: "email", to: "a@x.test" }] }, request, now) // { send: … }
 */
export function decideAlert(state: AlertState, request: Pick<AlertRequest, "at" | "unlimited" | "perKindPerHour" | "channels">, now: number): AlertDecision {
  if (state.stored && (state.stored.state !== "sending" || now - state.stored.at < ALERT_SEND_TIMEOUT_MS)) {
    return { skip: state.stored.state === "sending" ? "in_flight" : "already_alerted" };
  }
  if (now - request.at > ALERT_MAX_AGE_MS) return { skip: "too_old" };
  if (!request.unlimited && state.sentThisHour >= request.perKindPerHour) return { refuse: "alert_limit" };
  const address = state.addresses.find((candidate) => request.channels.includes(candidate.channel));
  return address ? { send: address } : { refuse: "no_address" };
}

/**
 * Where the alert of an event at `at` may go, best first: the email addresses the user's factors
 * had at that time, oldest first (an address removed by the event, or since, is still one the
 * user proved; one added later, or the newest, may be an intruder's), then the email the portal's
 * session names, then those the factors have now; then by text, the same way. A phone is used
 * only where no email address is known, or no email provider can reach one.
 * @example
 * alertAddresses(heldAddresses(sql), "ann@acme.test", at)[0] // { channel: "email", to: … }
 */
export function alertAddresses(held: readonly HeldAddress[], sessionEmail: string | null, at: number): Array<{ channel: AlertChannel; to: string }> {
  const oldestFirst = [...held].sort((a, b) => a.addedAt - b.addedAt);
  const then = oldestFirst.filter((h) => h.addedAt <= at && (h.removedAt === null || at <= h.removedAt));
  const now = oldestFirst.filter((h) => h.removedAt === null);
  const of = (channel: AlertChannel, list: readonly HeldAddress[]) => list.flatMap((h) => (h.kind === channel ? [{ channel, to: h.address }] : []));
  const session = sessionEmail ? [{ channel: "email" as const, to: sessionEmail }] : [];
  const all = [...of("email", then), ...session, ...of("email", now), ...of("sms", then), ...of("sms", now)];
  return all.filter((candidate, i) => all.findIndex((other) => other.channel === candidate.channel && other.to === candidate.to) === i);
}

/** Origin of what stepgate itself records about an alert: no request made it. */
const NO_REQUEST = { ip: null, userAgent: null };

/**
 * Claims the alert of an event: where it goes, in the user's language and time zone; or why it
 * is not sent (a refusal is remembered, and one for the budget audited). The caller sends it, then calls
 * {@link alertDelivered} or {@link alertUndelivered}.
 */
export function claimAlert(user: UserContext, request: AlertRequest): AlertClaim {
  const now = Date.now();
  forgetOldAlerts(user.sql, now);
  const decision = decideAlert(alertState(user.sql, request, now), request, now);
  if ("skip" in decision) return { ok: false, reason: decision.skip };
  const state = "refuse" in decision ? "refused" : "sending";
  user.sql.exec("INSERT OR REPLACE INTO alerts (event_id, kind, state, at) VALUES (?, ?, ?, ?)", request.eventId, request.kind, state, now);
  if ("refuse" in decision) {
    if (decision.refuse === "alert_limit")
      user.record(now, "alert.refused", NO_REQUEST, { eventId: request.eventId, type: request.type, reason: decision.refuse });
    return { ok: false, reason: decision.refuse };
  }
  return { ok: true, ...decision.send, language: rememberedLanguage(user.sql), timeZone: rememberedTimeZone(user.sql) };
}

/** The alert left: it is remembered as sent, and audited (`alert.sent`, the address masked). */
export function alertDelivered(user: UserContext, delivered: { eventId: string; type: string; channel: AlertChannel; to: string }): void {
  const now = Date.now();
  user.sql.exec("UPDATE alerts SET state = 'sent', at = ? WHERE event_id = ?", now, delivered.eventId);
  user.record(now, "alert.sent", NO_REQUEST, {
    eventId: delivered.eventId,
    type: delivered.type,
    channel: delivered.channel,
    to: maskAddress(delivered.channel, delivered.to),
  });
}

/** The alert could not be delivered: its claim is dropped, so the queue's retry claims it again. */
export function alertUndelivered(sql: SqlStorage, eventId: string): void {
  sql.exec("DELETE FROM alerts WHERE event_id = ? AND state = 'sending'", eventId);
}

function alertState(sql: SqlStorage, request: AlertRequest, now: number): AlertState {
  const stored = sql
    .exec<{ state: "sending" | "sent" | "refused"; at: number }>("SELECT state, at FROM alerts WHERE event_id = ?", request.eventId)
    .toArray()[0];
  const { n } = sql
    .exec<{ n: number }>(
      "SELECT count(*) AS n FROM alerts WHERE kind = ? AND state != 'refused' AND at > ? AND event_id != ?",
      request.kind,
      now - HOUR_MS,
      request.eventId,
    )
    .one();
  const sessionEmail = sql.exec<{ email: string | null }>("SELECT email FROM profile WHERE id = 1").toArray()[0]?.email ?? null;
  return { stored: stored ?? null, sentThisHour: n, addresses: alertAddresses(heldAddresses(sql), sessionEmail, request.at) };
}

function forgetOldAlerts(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM alerts WHERE at <= ?", now - ALERTS_REMEMBERED_MS);
  sql.exec("DELETE FROM alerts WHERE event_id IN (SELECT event_id FROM alerts ORDER BY at DESC LIMIT -1 OFFSET ?)", ALERTS_KEPT);
}
