/**
 * @module
 * Text messages through Twilio's Messages API (REST, form-encoded, basic auth), with its
 * documented errors mapped to problems a caller can act on.
 */
import { ProblemError } from "../lib/problem";

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from?: string;
  messagingServiceSid?: string;
  apiBaseUrl: string;
}

/** Twilio error codes that mean the number itself cannot take the message. */
const RECIPIENT_ERRORS = new Set([21211, 21214, 21408, 21610, 21612, 21614]);
const TIMEOUT_MS = 10_000;

/**
 * Sends `text` to the E.164 number `to`.
 * @example
 * await sendTwilioSms(settings, "+14155552671", "123456 is your Acme code");
 */
export async function sendTwilioSms(settings: TwilioSettings, to: string, text: string): Promise<void> {
  const url = new URL(`/2010-04-01/Accounts/${settings.accountSid}/Messages.json`, settings.apiBaseUrl);
  const body = new URLSearchParams({ To: to, Body: text });
  if (settings.messagingServiceSid) body.set("MessagingServiceSid", settings.messagingServiceSid);
  else if (settings.from) body.set("From", settings.from);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        Authorization: `Basic ${btoa(`${settings.accountSid}:${settings.authToken}`)}`,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    console.error("stepgate: twilio unreachable", error);
    throw new ProblemError(502, "delivery_failed", "The text message service could not be reached; try again.");
  }
  if (response.ok) return;
  const failure = await response.json<{ code?: number; message?: string }>().catch(() => ({}) as { code?: number; message?: string });
  console.error("stepgate: twilio refused", response.status, failure.code, failure.message);
  if (failure.code !== undefined && RECIPIENT_ERRORS.has(failure.code)) {
    throw new ProblemError(422, "recipient_refused", "This phone number cannot receive text messages.", { providerCode: failure.code });
  }
  if (response.status === 401 || response.status === 403) {
    throw new ProblemError(502, "delivery_misconfigured", "The text message service refused stepgate's credentials; tell the portal's administrator.");
  }
  if (response.status === 429) {
    throw new ProblemError(
      503,
      "delivery_busy",
      "The text message service is busy; try again shortly.",
      {},
      { "Retry-After": response.headers.get("Retry-After") ?? "30" },
    );
  }
  throw new ProblemError(502, "delivery_failed", "The text message could not be sent; try again.", { providerCode: failure.code ?? null });
}
