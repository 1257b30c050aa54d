/**
 * @module
 * The messages stepgate's embedded pages post when a challenge ends, and the checks that only
 * the page of this challenge, in the window the client opened, is heard.
 */

/** What the challenge's page said: verified, cancelled, or locked (for `retryAfter` seconds). */
export type ChallengeMessage = { type: "verified" } | { type: "cancelled" } | { type: "locked"; retryAfter?: number };

const PREFIX = "stepgate:";

/**
 * Calls `receive` with each message the challenge `challengeId`'s page posts from `source` (the
 * dialog's frame or the popup); returns a function that stops listening.
 * @example
 * const stop = listenToChallenge("c1", frame.contentWindow!, (message) => message.type === "verified" && done());
 */
export function listenToChallenge(challengeId: string, source: Window, receive: (message: ChallengeMessage) => void): () => void {
  function heard(event: MessageEvent): void {
    // stepgate's pages are served from the portal's own origin: a message from any other origin
    // (an ad frame, a page the frame was led to) could otherwise claim the user verified.
    if (event.origin !== location.origin) return;
    // Same origin is not enough: another same-origin window (another tab's challenge, a frame of
    // the portal's own) must not end this one.
    if (event.source !== source) return;
    const data: unknown = event.data;
    if (typeof data !== "object" || data === null) return;
    const { type, challengeId: id, retryAfter } = data as Record<string, unknown>;
    // An earlier challenge's page may still post from the same window: only this one counts.
    if (id !== challengeId || typeof type !== "string" || !type.startsWith(PREFIX)) return;
    const kind = type.slice(PREFIX.length);
    if (kind === "verified" || kind === "cancelled") receive({ type: kind });
    else if (kind === "locked") receive({ type: kind, retryAfter: Number.isInteger(retryAfter) ? (retryAfter as number) : undefined });
  }
  addEventListener("message", heard);
  return () => removeEventListener("message", heard);
}
