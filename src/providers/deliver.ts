/**
 * @module
 * Sends a code's message through the provider the tenant's policy names. The dev outbox only
 * delivers where the deployment says it is development (`STEPGATE_ENV`), so a policy left on
 * `outbox` in production fails loudly instead of swallowing codes.
 */
import { revealCredential } from "../config/credentials";
import { isDevelopment } from "../config/deployment";
import type { Policy } from "../config/policy-schema";
import { ProblemError } from "../lib/problem";
import { tenantState, type OutboxMessage } from "../state/tenant";
import { sendResendEmail } from "./resend";
import { sendSmtpEmail } from "./smtp";
import { sendTwilioSms } from "./twilio";

/**
 * @example
 * await deliver(env, tenantId, policy, { channel: "sms", to: "+14155552671", subject: null, text, code: "123456" });
 */
export async function deliver(env: Env, tenantId: string, policy: Policy, message: OutboxMessage): Promise<void> {
  if (message.channel === "sms") {
    const sms = policy.factors.sms;
    if (sms.provider === "twilio" && sms.twilio) {
      const authToken = await revealCredential(env, tenantId, sms.twilio.authToken, "twilioAuthToken");
      return sendTwilioSms({ ...sms.twilio, authToken }, message.to, message.text);
    }
    return toOutbox(env, tenantId, message);
  }
  const email = policy.factors.email;
  const subject = message.subject ?? "";
  if (email.provider === "smtp") {
    const password = email.password ? await revealCredential(env, tenantId, email.password, "smtpPassword") : undefined;
    return sendSmtpEmail(
      { host: email.host!, port: email.port!, secure: email.secure, from: email.from!, username: email.username, password },
      message.to,
      subject,
      message.text,
    );
  }
  if (email.provider === "resend") {
    const apiKey = await revealCredential(env, tenantId, email.apiKey!, "resendApiKey");
    return sendResendEmail({ apiKey, from: email.from!, apiBaseUrl: email.apiBaseUrl }, message.to, subject, message.text);
  }
  return toOutbox(env, tenantId, message);
}

async function toOutbox(env: Env, tenantId: string, message: OutboxMessage): Promise<void> {
  if (!isDevelopment(env)) {
    throw new ProblemError(
      503,
      "delivery_unavailable",
      `The ${message.channel} provider is "outbox", which only works in development; configure a real provider.`,
    );
  }
  await tenantState(env, tenantId).appendOutbox(message);
}
