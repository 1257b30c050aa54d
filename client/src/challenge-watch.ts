/**
 * @module
 * How a shown challenge ends, whichever way it is shown: its page's messages, its expiry, the
 * request aborted, or the user closing it.
 */
import { listenToChallenge } from "./challenge-messages.js";
import { StepUpError } from "./errors.js";
import type { StepUpChallenge } from "./step-up-answer.js";

/** A challenge being shown, and how it ends. */
export interface ChallengeWatch {
  /** Resolves when the user verified; rejects with a `StepUpError` or the request's abort reason. */
  ended: Promise<void>;
  /** The user closed the challenge's window: cancelled, or locked when its page said so. */
  closedByUser(): void;
  /** Ends it with `error` (the challenge could not be shown). */
  fail(error: StepUpError): void;
}

/**
 * Watches `challenge`, shown in `source` (the dialog's frame or the popup); `close` takes the
 * challenge's window away, once, whichever way it ends.
 * @example
 * const watch = watchChallenge(challenge, popup, () => popup.close(), request.signal);
 * await watch.ended;
 */
export function watchChallenge(challenge: StepUpChallenge, source: Window, close: () => void, signal: AbortSignal | null): ChallengeWatch {
  const { challengeId } = challenge;
  let settle!: (error?: unknown) => void;
  let locked = false;
  let retryAfter: number | undefined;
  const ended = new Promise<void>((resolve, reject) => {
    let done = false;
    settle = (error) => {
      if (done) return;
      done = true;
      stopListening();
      clearTimeout(expiry);
      signal?.removeEventListener("abort", aborted);
      close();
      if (error === undefined) resolve();
      else reject(error);
    };
  });
  // Once the page said the account is locked, however the user leaves it, it was the lock.
  const leftByUser = () => settle(locked ? new StepUpError("locked", challengeId, retryAfter) : new StepUpError("cancelled", challengeId));
  const stopListening = listenToChallenge(challengeId, source, (message) => {
    if (message.type === "verified") settle();
    else if (message.type === "cancelled") leftByUser();
    else {
      // The page stays, saying when the user may try again; the user closes it when they have read it.
      locked = true;
      retryAfter = message.retryAfter;
    }
  });
  const expiry = setTimeout(() => settle(new StepUpError("expired", challengeId)), Math.max(0, challenge.endsAt - Date.now()));
  const aborted = () => settle(signal!.reason);
  signal?.addEventListener("abort", aborted);
  return {
    ended,
    closedByUser: leftByUser,
    fail: settle,
  };
}
