/**
 * @module
 * Sends the request stepgate held once the user verified (`completeUrl`), and turns stepgate's
 * own refusals there into a `StepUpError`.
 */
import { StepUpError, type StepUpErrorCode } from "./errors.js";

/** stepgate's refusals at `completeUrl` (problem+json `code`s) that the client rejects with. */
const REFUSALS: Readonly<Record<string, StepUpErrorCode>> = { challenge_not_found: "expired", not_verified: "not_verified" };

/**
 * POSTs `completeUrl`, which sends the held request to the origin once; resolves with the
 * origin's answer (any status, `already_completed` included: it was sent before, and is not again).
 * `notVerified` is the code a `not_verified` refusal rejects with.
 * @example
 * const response = await completeHeldRequest(challenge.completeUrl, challenge.challengeId, fetch);
 */
export async function completeHeldRequest(
  completeUrl: URL,
  challengeId: string,
  send: (request: Request) => Promise<Response>,
  notVerified: StepUpErrorCode = "not_verified",
  signal: AbortSignal | null = null,
): Promise<Response> {
  const response = await send(
    new Request(completeUrl, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "{}", signal }),
  );
  if (response.status === 429) throw new StepUpError("locked", challengeId, retryAfterSeconds(response.headers.get("Retry-After")));
  const refusal = response.status === 404 || response.status === 409 ? REFUSALS[await problemCode(response)] : undefined;
  if (refusal) throw new StepUpError(refusal === "not_verified" ? notVerified : refusal, challengeId);
  return response;
}

async function problemCode(response: Response): Promise<string> {
  if (!/^application\/problem\+json/i.test(response.headers.get("Content-Type") ?? "")) return "";
  try {
    const body = await response.clone().json();
    return typeof body?.code === "string" ? body.code : "";
  } catch {
    return ""; // not JSON: the origin's own answer, given to the page as it is
  }
}

/** `Retry-After` in seconds (it may be a number of seconds or a date); undefined without one. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) : Math.ceil((Date.parse(header) - Date.now()) / 1000);
  return Number.isNaN(seconds) ? undefined : Math.max(0, seconds);
}
