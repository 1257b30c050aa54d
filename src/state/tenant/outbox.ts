/**
 * @module
 * The development outbox in the tenant's Durable Object: the texts and emails the `outbox`
 * provider keeps instead of delivering them (codes and security alerts), the newest
 * {@link OUTBOX_MESSAGES_KEPT}, each with the code it carries kept apart so the outbox page can
 * show it without reading the words.
 */
import { iso } from "../../lib/iso-time";

/** Messages the dev outbox keeps per tenant; older ones are dropped. */
export const OUTBOX_MESSAGES_KEPT = 100;

/** A text or an email as the providers send it, and the code it carries. */
export interface OutboxMessage {
  channel: "sms" | "email";
  to: string;
  subject: string | null;
  text: string;
  /** The code in the text; only the outbox keeps it apart (a provider sends the text). `null`: a security alert, which carries none. */
  code: string | null;
}

/** A kept message: `code` is `null` for an alert, and for a code kept before codes were kept apart. */
export type KeptMessage = OutboxMessage & { at: string };

type OutboxRow = { at: number; channel: "sms" | "email"; recipient: string; subject: string | null; body: string; code: string | null };

/**
 * Keeps `message`, dropping the oldest beyond {@link OUTBOX_MESSAGES_KEPT}.
 * @example
 * appendOutboxMessage(sql, { channel: "sms", to: "+14155552671", subject: null, text, code: "123456" }, Date.now());
 */
export function appendOutboxMessage(sql: SqlStorage, message: OutboxMessage, now: number): void {
  const { seq } = sql
    .exec<{ seq: number }>(
      "INSERT INTO outbox (at, channel, recipient, subject, body, code) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
      now,
      message.channel,
      message.to,
      message.subject,
      message.text,
      message.code,
    )
    .one();
  sql.exec("DELETE FROM outbox WHERE seq <= ?", seq - OUTBOX_MESSAGES_KEPT);
}

/**
 * The kept messages, newest first.
 * @example
 * listOutbox(sql)[0]?.code // "123456"
 */
export function listOutbox(sql: SqlStorage): KeptMessage[] {
  return sql
    .exec<OutboxRow>("SELECT at, channel, recipient, subject, body, code FROM outbox ORDER BY seq DESC")
    .toArray()
    .map((row) => ({ at: iso(row.at), channel: row.channel, to: row.recipient, subject: row.subject, text: row.body, code: row.code }));
}
