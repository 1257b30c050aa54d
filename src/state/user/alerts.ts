/**
 * @module
 * Security alerts in the user's object (docs/notifications.md). The consumer of the
 * `stepgate-notifications` queue claims an event's alert here before it sends it, and reports
 * after whether it was delivered. The object keeps each event's alert once, by its stream id
 * (the queue delivers at least once), counts it against the kind's hourly budget, and says where
 * it goes (the oldest address the user had before the event; every one of them when the event
 * added a factor) and in which language and time zone. What to do is {@link decideAlert}'s, a
 * pure function of what is stored; a claim reads and writes in one synchronous step, so two
 * deliveries of one event racing each other cannot both send it.
 */
import type { AlertKind } from "../../config/notification-settings";
import type { Language } from "../../config/languages";
import { isEmailAddress } from "../../lib/email-address";
import type { UserContext } from "./context";
import { maskAddress } from "./factors";
import { type HeldAddress, heldAddresses } from "./removed-addresses";
import { rememberedLanguage, rememberedTimeZone } from "./settings";

export type AlertChannel = "email" | "sms";
/** One place an alert is sent to. */
export type AlertAddress = { channel: AlertChannel; to: string };

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
  /**
   * The factor the event added (`factor.enrolled`, `factor.replaced`), or `null`. Its address is
   * never one the alert goes to (it may be the intruder's), and the alert goes to every address
   * the user had before, not only the oldest: the owner hears of it wherever they look.
   */
  addedFactorId: string | null;
}

/** Where and how to send the alert, or why not. */
export type AlertClaim = { ok: true; to: AlertAddress[]; language: Language | null; timeZone: string | null } | { ok: false; reason: AlertSkip | AlertRefusal };

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
  /**
   * This event's alert as stored: being sent since `at`, sent, refused, or `partial` (a send to
   * several addresses failed on some: the others, in `delivered`, have it).
   */
  stored: { state: "sending" | "sent" | "refused" | "partial"; at: number; delivered: readonly AlertAddress[] } | null;
  /** Alerts of the event's kind sent or being sent in the last hour, this one aside. */
  sentThisHour: number;
  /** Where an alert may go (see {@link alertAddresses}). */
  addresses: AlertAddresses;
}

export type AlertDecision = { send: AlertAddress[] } | { skip: AlertSkip } | { refuse: AlertRefusal };

/**
 * What to do with an event's alert.
 * @example
 * decideAlert({ stored: null, sentThisHour: 0, addresses: { before: [{ channel: "email", to: "a@x.test" }], since: [] } }, request, now) // { send: … }
 */
export function decideAlert(
  state: AlertState,
  request: Pick<AlertRequest, "at" | "unlimited" | "perKindPerHour" | "channels" | "addedFactorId">,
  now: number,
): AlertDecision {
  const { stored } = state;
  if (stored && stored.state !== "partial" && (stored.state !== "sending" || now - stored.at < ALERT_SEND_TIMEOUT_MS)) {
    return { skip: stored.state === "sending" ? "in_flight" : "already_alerted" };
  }
  if (now - request.at > ALERT_MAX_AGE_MS) return { skip: "too_old" };
  // An alert partly sent was counted when it was first claimed: the rest of it is not refused.
  if (!request.unlimited && stored?.state !== "partial" && state.sentThisHour >= request.perKindPerHour) return { refuse: "alert_limit" };
  const reachable = (list: readonly AlertAddress[]) => list.filter((address) => request.channels.includes(address.channel));
  const before = reachable(state.addresses.before);
  // A factor added: each address the user had before it (the newest may be an intruder's, the owner
  // may look at any). Anything else: the oldest; one added since only when there was none before.
  const chosen = request.addedFactorId !== null && before.length > 0 ? before : [...before, ...reachable(state.addresses.since)].slice(0, 1);
  const left = chosen.filter((address) => !stored?.delivered.some((done) => sameAddress(done, address)));
  if (left.length > 0) return { send: left };
  return chosen.length > 0 ? { skip: "already_alerted" } : { refuse: "no_address" };
}

/** Where an alert may go, each list oldest first. */
export interface AlertAddresses {
  /** The addresses the user had before the event: the alert goes to the oldest (to each, for a factor added). */
  before: AlertAddress[];
  /** Those added since (the user still has them): the oldest is used only when there is none before. */
  since: AlertAddress[];
}

/**
 * Where the alert of an event at `at` may go. `held` are the addresses of the user's factors, now
 * and lately removed, and the email the portal's session names (from when it was first noted),
 * by email or text alike. The oldest an alert reaches is its address: an address added after
 * another never takes an alert away from it, so an intruder who adds theirs (or changes the
 * portal's email) is not the one told. Only addresses held strictly before the event count as
 * before it (an address removed by the event still does: whoever removed it is not told in its
 * place); the factor the event itself added, whose `addedAt` is the event's time, never counts.
 * @example
 * alertAddresses(heldAddresses(sql), at, null).before[0] // { channel: "sms", to: "+14155552671" }: the phone came first
 */
export function alertAddresses(held: readonly HeldAddress[], at: number, addedFactorId: string | null): AlertAddresses {
  const oldestFirst = held
    .filter((h) => (h.kind === "email" || h.kind === "sms") && (h.factorId === null || h.factorId !== addedFactorId))
    .sort((a, b) => a.addedAt - b.addedAt || (a.kind === b.kind ? 0 : a.kind === "email" ? -1 : 1));
  const toAddress = (h: HeldAddress): AlertAddress => ({ channel: h.kind as AlertChannel, to: h.address });
  const before = distinct(oldestFirst.filter((h) => h.addedAt < at && (h.removedAt === null || at <= h.removedAt)).map(toAddress));
  const since = distinct(oldestFirst.filter((h) => h.addedAt >= at && h.removedAt === null).map(toAddress));
  return { before, since: since.filter((address) => !before.some((other) => sameAddress(other, address))) };
}

/** Email addresses compare without case (the session's claim keeps the portal's spelling, factors are lower case). */
function sameAddress(a: AlertAddress, b: AlertAddress): boolean {
  return a.channel === b.channel && (a.channel === "email" ? a.to.toLowerCase() === b.to.toLowerCase() : a.to === b.to);
}

function distinct(addresses: AlertAddress[]): AlertAddress[] {
  return addresses.filter((address, i) => addresses.findIndex((other) => sameAddress(other, address)) === i);
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
  // What a partly sent alert delivered is kept: its retry sends to the others alone.
  user.sql.exec(
    `INSERT INTO alerts (event_id, kind, state, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (event_id) DO UPDATE SET state = excluded.state, at = excluded.at`,
    request.eventId,
    request.kind,
    state,
    now,
  );
  if ("refuse" in decision) {
    if (decision.refuse === "alert_limit")
      user.record(now, "alert.refused", NO_REQUEST, { eventId: request.eventId, type: request.type, reason: decision.refuse });
    return { ok: false, reason: decision.refuse };
  }
  return { ok: true, to: decision.send, language: rememberedLanguage(user.sql), timeZone: rememberedTimeZone(user.sql) };
}

/** What a send of a claimed alert reached. */
export interface AlertSent {
  eventId: string;
  type: string;
  /** The addresses it was delivered to. */
  to: readonly AlertAddress[];
}

/** The alert left, to every address claimed: it is remembered as sent, and audited (`alert.sent` per address, masked). */
export function alertDelivered(user: UserContext, sent: AlertSent): void {
  const now = Date.now();
  user.sql.exec("UPDATE alerts SET state = 'sent', at = ?, delivered = ? WHERE event_id = ?", now, deliveredWith(user.sql, sent), sent.eventId);
  auditSent(user, sent, now);
}

/**
 * The alert could not be delivered to every address claimed: its claim is dropped, so the
 * queue's retry claims it again — for the addresses it did not reach, when it reached some
 * (those are remembered and audited).
 */
export function alertUndelivered(user: UserContext, sent: AlertSent): void {
  const now = Date.now();
  if (sent.to.length === 0) {
    user.sql.exec("DELETE FROM alerts WHERE event_id = ? AND state = 'sending' AND delivered = '[]'", sent.eventId);
    user.sql.exec("UPDATE alerts SET state = 'partial' WHERE event_id = ? AND state = 'sending'", sent.eventId);
    return;
  }
  user.sql.exec("UPDATE alerts SET state = 'partial', delivered = ? WHERE event_id = ? AND state = 'sending'", deliveredWith(user.sql, sent), sent.eventId);
  auditSent(user, sent, now);
}

/** The addresses the alert reached before, and now `sent.to`, as stored. */
function deliveredWith(sql: SqlStorage, sent: AlertSent): string {
  const before = sql.exec<{ delivered: string }>("SELECT delivered FROM alerts WHERE event_id = ?", sent.eventId).toArray()[0]?.delivered ?? "[]";
  return JSON.stringify(distinct([...(JSON.parse(before) as AlertAddress[]), ...sent.to]));
}

function auditSent(user: UserContext, sent: AlertSent, now: number): void {
  for (const { channel, to } of sent.to) {
    user.record(now, "alert.sent", NO_REQUEST, { eventId: sent.eventId, type: sent.type, channel, to: maskAddress(channel, to) });
  }
}

function alertState(sql: SqlStorage, request: AlertRequest, now: number): AlertState {
  const row = sql
    .exec<{ state: "sending" | "sent" | "refused" | "partial"; at: number; delivered: string }>(
      "SELECT state, at, delivered FROM alerts WHERE event_id = ?",
      request.eventId,
    )
    .toArray()[0];
  const stored = row ? { state: row.state, at: row.at, delivered: JSON.parse(row.delivered) as AlertAddress[] } : null;
  const { n } = sql
    .exec<{ n: number }>(
      "SELECT count(*) AS n FROM alerts WHERE kind = ? AND state != 'refused' AND at > ? AND event_id != ?",
      request.kind,
      now - HOUR_MS,
      request.eventId,
    )
    .one();
  return { stored, sentThisHour: n, addresses: alertAddresses([...heldAddresses(sql), ...sessionAddress(sql)], request.at, request.addedFactorId) };
}

/**
 * The email the portal's session names, held from when it was noted; none when it is no plain
 * address (a claim stored before claims were checked).
 */
function sessionAddress(sql: SqlStorage): HeldAddress[] {
  const profile = sql.exec<{ email: string | null; noted: number | null }>("SELECT email, email_noted_at AS noted FROM profile WHERE id = 1").toArray()[0];
  if (!profile || !isEmailAddress(profile.email)) return [];
  return [{ kind: "email", address: profile.email, addedAt: profile.noted ?? 0, removedAt: null, factorId: null }];
}

function forgetOldAlerts(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM alerts WHERE at <= ?", now - ALERTS_REMEMBERED_MS);
  sql.exec("DELETE FROM alerts WHERE event_id IN (SELECT event_id FROM alerts ORDER BY at DESC LIMIT -1 OFFSET ?)", ALERTS_KEPT);
}
