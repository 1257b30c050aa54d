/**
 * A webhook endpoint for the bench, as a tenant's would be: it verifies each delivery with the
 * Standard Webhooks library (`standardwebhooks`, the one docs/webhooks.md tells Node receivers
 * to use), answers 204 to a verified one and 400 to any other, and keeps each delivery's
 * `webhook-id` and arrival time.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Webhook } from "standardwebhooks";

export interface Arrival {
  id: string;
  /** `performance.now()` when its body had arrived. */
  at: number;
  verified: boolean;
}

export interface WebhookReceiver {
  server: Server;
  url: string;
  arrivals: Arrival[];
  /** Sets the secret deliveries are verified with (stepgate shows it once the webhook exists). */
  verifyWith(secret: string): void;
}

const headerOf = (headers: IncomingHttpHeaders, name: string) => String(headers[name] ?? "");

/** Starts the receiver on a loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals: Arrival[] = [];
  let webhook: Webhook | null = null;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers = {
        "webhook-id": headerOf(request.headers, "webhook-id"),
        "webhook-timestamp": headerOf(request.headers, "webhook-timestamp"),
        "webhook-signature": headerOf(request.headers, "webhook-signature"),
      };
      let verified = false;
      try {
        webhook?.verify(Buffer.concat(chunks).toString("utf8"), headers);
        verified = webhook !== null;
      } catch {
        // Refused: counted as unverified and answered 400.
      }
      arrivals.push({ id: headers["webhook-id"], at: performance.now(), verified });
      response.writeHead(verified ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}/stepgate-events`,
    arrivals,
    verifyWith: (secret) => {
      webhook = new Webhook(secret);
    },
  };
}
