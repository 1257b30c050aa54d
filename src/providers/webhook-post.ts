/**
 * @module
 * Posting one webhook delivery to a tenant's endpoint and saying what came of it: the status,
 * or why there was none. Nothing here decides what to do next (`flows/webhook-delivery.ts` does).
 */

/** How long an endpoint has to answer before the attempt counts as failed (and is retried). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** What one POST got: the endpoint's status, or `null` and why (`timeout`, a network error). */
export interface PostOutcome {
  status: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Posts `body` (JSON) with `headers` to `url`. A redirect is not followed (it is a status like
 * any other non-2xx): the destination was checked, where it sends stepgate next was not. The
 * endpoint's answer is not read: only its status counts.
 * @example
 * const { status, error } = await postWebhook("https://hooks.example.com/stepgate", headers, body);
 */
export async function postWebhook(url: string, headers: Record<string, string>, body: string): Promise<PostOutcome> {
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json", "User-Agent": "stepgate-webhooks" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { status: response.status, error: null, durationMs: Date.now() - started };
  } catch (error) {
    const timedOut = error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");
    return {
      status: null,
      error: timedOut ? "timeout" : String(error instanceof Error ? error.message : error).slice(0, 200),
      durationMs: Date.now() - started,
    };
  }
}
