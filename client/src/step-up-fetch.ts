/**
 * @module
 * `stepgate.fetch`: a `fetch` that, when stepgate answers with a step-up, shows the challenge and
 * resolves with the answer to the completed request.
 */
import { showChallengeDialog } from "./challenge-dialog.js";
import { openChallengePopup } from "./challenge-popup.js";
import { leaveForChallenge } from "./challenge-redirect.js";
import { type ChallengeMode, modeFor } from "./client-settings.js";
import { StepUpError } from "./errors.js";
import { completeHeldRequest } from "./held-request.js";
import { readStepUpAnswer, type StepUpChallenge } from "./step-up-answer.js";

/** A call's own choices. */
export interface StepUpOptions {
  /** How this call's challenge is shown; default what `stepgate.configure` set (`"dialog"`). */
  mode?: ChallengeMode;
}

/** How a request goes out: `fetch`, or the one `stepgate.install` wrapped. */
export type Send = (request: Request) => Promise<Response>;

/** The challenge being shown, if any: the next waits for it to end, however it ends. */
let shown: Promise<unknown> = Promise.resolve();

/**
 * Like `fetch`; when stepgate asks for a step-up, shows the challenge and resolves with the
 * answer to the request once the user verified (the held request, sent once; or the request
 * sent again with the grant). Rejects with a `StepUpError` when the user cancels, the challenge
 * expires or the account is locked: nothing is sent then. Any other answer is given unchanged.
 * @example
 * const response = await stepgate.fetch("/api/withdraw", { method: "POST", body: JSON.stringify(order) });
 */
export async function stepUpFetch(input: RequestInfo | URL, init?: RequestInit, options: StepUpOptions = {}): Promise<Response> {
  const mode = modeFor(options.mode);
  return sendWithStepUp(new Request(input, init), (request) => fetch(request), mode);
}

/**
 * Sends `request` through `send`, stepping up in `mode` when stepgate asks (`stepUpFetch`'s work).
 * @example
 * await sendWithStepUp(new Request("/api/withdraw", { method: "POST", body }), (r) => fetch(r), "dialog");
 */
export async function sendWithStepUp(request: Request, send: Send, mode: ChallengeMode): Promise<Response> {
  // Kept before sending, which uses up the body: a request stepgate did not hold is sent again.
  const retry = request.clone();
  const response = await send(request);
  const challenge = await readStepUpAnswer(response, request.url);
  if (!challenge) return response;
  const { signal } = request;
  await inTurn(() => showChallenge(challenge, mode, signal));
  if (challenge.completeUrl) return completeHeldRequest(challenge.completeUrl, challenge.challengeId, send, "not_verified", signal);
  const again = await send(retry);
  if (await readStepUpAnswer(again, retry.url)) throw new StepUpError("not_completed", challenge.challengeId);
  return again;
}

/** Runs `show` once the challenge shown before it has ended: one challenge in front of the user at a time. */
function inTurn(show: () => Promise<void>): Promise<void> {
  const turn = shown.then(show, show);
  // The queue goes on whatever this one's end; its caller gets the end itself through `turn`.
  shown = turn.catch(() => undefined);
  return turn;
}

function showChallenge(challenge: StepUpChallenge, mode: ChallengeMode, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  // It may have waited its turn behind another until its time was up: not worth showing.
  if (challenge.endsAt <= Date.now()) throw new StepUpError("expired", challenge.challengeId);
  if (mode === "redirect") return leaveForChallenge(challenge);
  return (mode === "popup" && openChallengePopup(challenge, signal)) || showChallengeDialog(challenge, signal);
}
