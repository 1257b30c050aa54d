/** Reading the codes stepgate sent, from the dev outbox, the test SMTP server or the provider stand-ins. */
import { env, runInDurableObject } from "cloudflare:test";
import { userState } from "../../src/state/user";
import { expect } from "vitest";
import { send } from "./builders";

export interface OutboxEntry {
  channel: "sms" | "email";
  to: string;
  subject: string | null;
  text: string;
  /** The code the message carries, kept apart by the outbox. */
  code: string | null;
}

export async function outbox(base: string): Promise<OutboxEntry[]> {
  const response = await send(`${base}/__stepgate/dev/outbox?format=json`);
  expect(response.status).toBe(200);
  return (await response.json<{ messages: OutboxEntry[] }>()).messages;
}

/** The code in the newest outbox message to `to` that carries one (a security alert carries none). */
export async function lastCodeTo(base: string, to: string): Promise<string> {
  const message = (await outbox(base)).find((m) => m.to === to && m.code !== null);
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

/** Moves the user's recorded sends and codes into the past, as if `ms` had passed. */
export async function timePasses(tenantId: string, userId: string, ms: number): Promise<void> {
  await runInDurableObject(userState(env, tenantId, userId), async (_o, state) => {
    state.storage.sql.exec("UPDATE sends SET at = at - ?", ms);
    state.storage.sql.exec("UPDATE sent_codes SET expires_at = expires_at - ?", ms);
  });
}
