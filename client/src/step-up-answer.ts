/**
 * @module
 * Recognises stepgate's `401 step_up_required` / `enrollment_required` answer, and what it says.
 */
import { challengePageUrl, completionUrl, sameOriginUrl } from "./challenge-url.js";

/** A challenge stepgate answered a request with. */
export interface StepUpChallenge {
  challengeId: string;
  /** The hosted challenge (or enrolment) page of this challenge, on the page's origin. */
  challengeUrl: URL;
  /** stepgate's address that sends the held request once verified; absent when stepgate did not hold it. */
  completeUrl?: URL;
  /** When the challenge ends, in this browser's clock (ms since the epoch). */
  endsAt: number;
}

const STEP_UP_CODES: readonly unknown[] = ["step_up_required", "enrollment_required"];
const PROBLEM_JSON = /^application\/problem\+json\s*(;|$)/i;

/**
 * The challenge in `response` (the answer to a request sent to `sentTo`) when it is stepgate's
 * step-up 401, else null (the response is then left unread for the page).
 * @example
 * const request = new Request("/api/withdraw", { method: "POST" });
 * const challenge = await readStepUpAnswer(await fetch(request), request.url);
 * if (challenge) openChallenge(challenge.challengeUrl);
 */
export async function readStepUpAnswer(response: Response, sentTo: string): Promise<StepUpChallenge | null> {
  if (response.status !== 401 || !PROBLEM_JSON.test(response.headers.get("Content-Type") ?? "")) return null;
  // stepgate answers on the portal's own origin only: another origin's API (or a redirect to one)
  // that answers like stepgate is not, and is given its 401 as it is. (`url` is empty for a
  // response made in the page, a service worker's: then where it was sent.)
  if (!sameOriginUrl(response.url || sentTo)) return null;
  let body: Record<string, unknown>;
  try {
    body = await response.clone().json();
  } catch {
    return null; // a body that is not JSON is not stepgate's
  }
  if (typeof body !== "object" || body === null || !STEP_UP_CODES.includes(body.code) || typeof body.challengeId !== "string") return null;
  const challengeUrl = challengePageUrl(body.challengeUrl, body.challengeId);
  const completeUrl = body.completeUrl === undefined ? undefined : completionUrl(body.completeUrl, body.challengeId);
  const expiresAt = Date.parse(String(body.expiresAt));
  if (!challengeUrl || completeUrl === null || Number.isNaN(expiresAt)) return null;
  // The time left by stepgate's clock (its Date header), not this device's: a device whose clock
  // runs minutes ahead would otherwise end every challenge early.
  const serverNow = Date.parse(response.headers.get("Date") ?? "");
  const endsAt = Date.now() + expiresAt - (Number.isNaN(serverNow) ? Date.now() : serverNow);
  return { challengeId: body.challengeId, challengeUrl, completeUrl, endsAt };
}
