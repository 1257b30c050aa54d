/**
 * @module
 * The one error the client rejects with when a step-up does not end in the request's answer.
 */

/**
 * Why a step-up did not end in the request's answer:
 * - `cancelled`: the user closed the challenge (Escape, the page's Cancel, the popup closed);
 * - `expired`: the challenge ended before the user verified, or stepgate no longer knows it;
 * - `locked`: too many wrong answers, or too many attempts (`retryAfter` says for how long);
 * - `not_verified`: stepgate refused to send the held request, the challenge not being verified;
 * - `not_completed`: the request sent again after verifying still needed a step-up;
 * - `blocked`: the browser would not show the challenge (the dialog refused, or redirect mode
 *   could not keep its place in this tab's storage).
 */
export type StepUpErrorCode = "cancelled" | "expired" | "locked" | "not_verified" | "not_completed" | "blocked";

/**
 * What `stepgate.fetch` and `stepgate.resume` reject with when the user did not get through the
 * challenge; nothing more was sent on the request's behalf.
 * @example
 * try {
 *   await stepgate.fetch("/api/withdraw", { method: "POST", body });
 * } catch (error) {
 *   if (error instanceof stepgate.StepUpError && error.code === "locked") showLockedFor(error.retryAfter);
 * }
 */
export class StepUpError extends Error {
  override readonly name = "StepUpError";

  constructor(
    /** Why the step-up ended without the request's answer. */
    readonly code: StepUpErrorCode,
    /** The stepgate challenge it was about. */
    readonly challengeId: string,
    /** With `locked`: the seconds until the user may try again, when stepgate said. */
    readonly retryAfter?: number,
  ) {
    super(`step-up ${code} (challenge ${challengeId})`);
  }
}
