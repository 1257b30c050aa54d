/**
 * @module
 * Email through Resend's HTTP API (`POST /emails`, bearer key).
 */
import { ProblemError } from "../lib/problem";

export interface ResendSettings {
  apiKey: string;
  from: string;
  apiBaseUrl: string;
}

const TIMEOUT_MS = 10_000;

/**
 * @example
 * await sendResendEmail(settings, "alice@demo.test", "Your code", "123456 is your code");
 */
export async function sendResendEmail(settings: ResendSettings, to: string, subject: string, text: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(new URL("/emails", settings.apiBaseUrl), {
      method: "POST",
      headers: { Authorization: `Bearer ${settings.apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ from: settings.from, to: [to], subject, text }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    console.error("stepgate: resend unreachable", error);
    throw new ProblemError(502, "delivery_failed", "The email service could not be reached; try again.");
  }
  if (response.ok) return;
  console.error("stepgate: resend refused", response.status, await response.text().catch(() => ""));
  if (response.status === 401 || response.status === 403) {
    throw new ProblemError(502, "delivery_misconfigured", "The email service refused stepgate's credentials; tell the portal's administrator.");
  }
  if (response.status === 429) throw new ProblemError(503, "delivery_busy", "The email service is busy; try again shortly.", {}, { "Retry-After": "30" });
  throw new ProblemError(502, "delivery_failed", "The email could not be sent; try again.");
}
