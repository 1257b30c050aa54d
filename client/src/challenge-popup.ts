/**
 * @module
 * Shows a challenge in a popup window, when the browser lets the page open one.
 */
import { embeddedUrl } from "./challenge-url.js";
import { watchChallenge } from "./challenge-watch.js";
import type { StepUpChallenge } from "./step-up-answer.js";

const POPUP_FEATURES = "popup,width=480,height=720";
const POPUP_POLL_MS = 400;

/**
 * Shows `challenge` in a popup until it ends (as `showChallengeDialog`), or null when the browser
 * blocked the popup (the caller shows the dialog instead).
 * @example
 * await (openChallengePopup(challenge, signal) ?? showChallengeDialog(challenge, signal));
 */
export function openChallengePopup(challenge: StepUpChallenge, signal: AbortSignal | null): Promise<void> | null {
  const popup = window.open(embeddedUrl(challenge.challengeUrl, "popup").href, "_blank", POPUP_FEATURES);
  if (!popup) return null;
  const watch = watchChallenge(
    challenge,
    popup,
    () => {
      clearInterval(poll);
      popup.close();
    },
    signal,
  );
  // A closed window sends no event. Seen closed twice in a row before it ends: the page's
  // "verified", posted just before it closed itself, has had a whole poll to arrive first.
  let seenClosed = false;
  const poll = setInterval(() => {
    if (!popup.closed) return;
    if (seenClosed) watch.closedByUser();
    seenClosed = true;
  }, POPUP_POLL_MS);
  return watch.ended;
}
