/**
 * @module
 * `stepgate.resume()`: finishes, on the page stepgate sent the user back to, a step-up that left
 * the page in redirect mode.
 */
import { takePendingChallenge } from "./challenge-redirect.js";
import { completeHeldRequest } from "./held-request.js";

/**
 * Call on page load. When the page left for a challenge whose request stepgate held, sends it
 * (once) and resolves with the origin's answer; resolves null when there is none to finish (or
 * the request was not held: the page sends it again). Rejects with a `StepUpError`: `cancelled`
 * when the user came back without verifying, `expired`, or `locked`.
 * @example
 * const response = await stepgate.resume();
 * if (response) showReceipt(await response.json());
 */
export async function resume(): Promise<Response | null> {
  const pending = takePendingChallenge();
  if (!pending?.completeUrl) return null;
  return completeHeldRequest(pending.completeUrl, pending.challengeId, (request) => fetch(request), "cancelled");
}
