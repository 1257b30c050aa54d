/**
 * Webhooks in the tests: receivers on the fixture origin (test/support/origins.ts), which verify
 * each delivery with the `standardwebhooks` package and record it, and webhooks made through the
 * admin API pointing at them.
 */
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { WebhookPayload } from "../../src/state/webhook-messages";
import { adminHeaders, send } from "./builders";
import { until } from "./events";

/** What a receiver got: the headers and body as sent, which of its secrets verified it (by index), and what it answered. */
export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: string;
  verifiedWith: number[];
  status: number;
}

/** How a receiver answers: `failFirst` 500s first, or `status` to everything (`null`: verify and answer 204 or 401). */
export interface ReceiverSettings {
  secrets?: string[];
  failFirst?: number;
  status?: number | null;
}

let receivers = 0;

/**
 * A receiver on the fixture origin, set up with `settings`; its `url` is what a webhook posts to.
 * @example
 * const receiver = await aReceiver({ failFirst: 2 });
 */
export async function aReceiver(settings: ReceiverSettings = {}): Promise<{ name: string; url: string; set: (settings: ReceiverSettings) => Promise<void> }> {
  const name = `r${++receivers}-${crypto.randomUUID().slice(0, 8)}`;
  const set = async (next: ReceiverSettings) => {
    const response = await fetch(`${env.TEST_ORIGIN}/__fixture/webhooks/${name}`, { method: "PUT", body: JSON.stringify({ secrets: [], ...next }) });
    expect(response.status).toBe(204);
  };
  await set(settings);
  return { name, url: `${env.TEST_ORIGIN}/webhooks/${name}`, set };
}

/** Every delivery the receiver got, oldest first. */
export async function received(name: string): Promise<ReceivedDelivery[]> {
  return (await fetch(`${env.TEST_ORIGIN}/__fixture/webhooks/${name}`)).json();
}

/** The payloads the receiver took (answered 2xx), oldest first. */
export async function taken(name: string): Promise<WebhookPayload[]> {
  return (await received(name)).filter((delivery) => delivery.status < 300).map((delivery) => JSON.parse(delivery.body) as WebhookPayload);
}

/** Waits until the receiver got at least `count` deliveries. */
export async function receivedAtLeast(name: string, count: number): Promise<ReceivedDelivery[]> {
  await until(async () => (await received(name)).length >= count, `${count} deliveries at receiver ${name}`);
  return received(name);
}

export interface MadeWebhook {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  secret: string;
}

/**
 * A webhook made with the bootstrap key (or `headers`), its receiver told its secret.
 * @example
 * const receiver = await aReceiver(); const webhook = await aWebhook(base, receiver, ["verify.*"]);
 */
export async function aWebhook(
  base: string,
  receiver: { url: string; set: (settings: ReceiverSettings) => Promise<void> },
  eventTypes: string[],
  more: ReceiverSettings & { enabled?: boolean } = {},
): Promise<MadeWebhook> {
  const { enabled, ...settings } = more;
  const response = await send(`${base}/__stepgate/admin/v1/webhooks`, {
    method: "POST",
    headers: adminHeaders(),
    body: JSON.stringify({ url: receiver.url, eventTypes, description: "test receiver", ...(enabled === undefined ? {} : { enabled }) }),
  });
  expect(response.status).toBe(201);
  const made = await response.json<MadeWebhook>();
  await receiver.set({ secrets: [made.secret], ...settings });
  return made;
}

/** A call to `/__stepgate/admin/v1<path>` with the bootstrap key (or `headers`). */
export function webhooksApi(base: string, method: string, path: string, body?: unknown, headers = adminHeaders()): Promise<Response> {
  return send(`${base}/__stepgate/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
