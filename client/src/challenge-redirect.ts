/**
 * @module
 * Redirect mode: leaves the page for the challenge, keeping in this tab what `resume` needs when
 * stepgate sends the user back.
 */
import { completionUrl, embeddedUrl } from "./challenge-url.js";
import { StepUpError } from "./errors.js";
import type { StepUpChallenge } from "./step-up-answer.js";

/** The tab's `sessionStorage` key of the challenge the page left for. */
const PENDING_KEY = "stepgate:pending";

/** The challenge the page left for: its id and, when stepgate held the request, where to complete it. */
export interface PendingChallenge {
  challengeId: string;
  completeUrl?: URL;
}

/**
 * Saves the challenge in the tab's storage and leaves for it; stepgate sends the user back to
 * this page's address. Never settles (the page is leaving), unless the tab's storage refused.
 * @example
 * await leaveForChallenge(challenge); // the next page load calls stepgate.resume()
 */
export function leaveForChallenge(challenge: StepUpChallenge): Promise<never> {
  try {
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ challengeId: challenge.challengeId, completeUrl: challenge.completeUrl?.href }));
  } catch {
    // Storage off or full: leaving would lose the held request, so the page keeps its form.
    return Promise.reject(new StepUpError("blocked", challenge.challengeId));
  }
  const url = embeddedUrl(challenge.challengeUrl, "redirect");
  url.searchParams.set("return_to", location.pathname + location.search);
  location.assign(url.href);
  return new Promise<never>(() => undefined);
}

/**
 * The challenge the page left for, taken out of the tab's storage (so it completes once), or null.
 * @example
 * const pending = takePendingChallenge(); // then null until the page leaves for another
 */
export function takePendingChallenge(): PendingChallenge | null {
  let saved: { challengeId?: unknown; completeUrl?: unknown } | null;
  try {
    saved = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
    sessionStorage.removeItem(PENDING_KEY);
  } catch {
    return null; // no storage (nothing was saved) or not ours to read
  }
  if (typeof saved?.challengeId !== "string") return null;
  // The tab's storage is the page's, but an address in it is still only stepgate's completion.
  const completeUrl = saved.completeUrl === undefined ? undefined : completionUrl(saved.completeUrl, saved.challengeId);
  if (completeUrl === null) return null;
  return { challengeId: saved.challengeId, completeUrl };
}
