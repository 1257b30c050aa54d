/** Reading the codes stepgate sent, from the dev outbox, the test SMTP server or the provider stand-ins. */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { send } from "./builders";

export interface OutboxEntry {
  channel: "sms" | "email";
  to: string;
  subject: string | null;
  text: string;
}

export async function outbox(base: string): Promise<OutboxEntry[]> {
  const response = await send(`${base}/__stepgate/dev/outbox`);
  expect(response.status).toBe(200);
  return (await response.json<{ messages: OutboxEntry[] }>()).messages;
}

/** The code in the newest outbox message to `to`. */
export async function lastCodeTo(base: string, to: string): Promise<string> {
  const message = (await outbox(base)).find((m) => m.to === to);
  expect(message, `a message to ${to}`).toBeDefined();
  return codeIn(message!.text);
}

export function codeIn(text: string): string {
  const match = /\b(\d{6,10})\b/.exec(text);
  expect(match, `a code in ${JSON.stringify(text)}`).not.toBeNull();
  return match![1]!;
}

export async function mailbox(): Promise<Array<{ to: string; from: string; subject: string; text: string }>> {
  return (await fetch(`${env.TEST_ORIGIN}/__fixture/mail`)).json();
}

export async function providerRequests(): Promise<Array<{ path: string; headers: Record<string, string>; body: string }>> {
  return (await fetch(`${env.TEST_ORIGIN}/__fixture/provider-requests`)).json();
}
