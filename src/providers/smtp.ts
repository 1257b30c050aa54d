/**
 * @module
 * Email through the tenant's own SMTP server, over `cloudflare:sockets` with `worker-mailer`.
 */
import { WorkerMailer } from "worker-mailer";
import { ProblemError } from "../lib/problem";

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  username?: string;
  password?: string;
}

const TIMEOUT_MS = 10_000;
const NAMED_MAILBOX = /^(.*?)\s*<([^<>]+)>$/;

/** `Acme <a@acme.test>` → `{ name: "Acme", email: "a@acme.test" }`, as the SMTP envelope needs the bare address. */
function mailboxOf(value: string): { name?: string; email: string } {
  const named = NAMED_MAILBOX.exec(value.trim());
  return named ? { name: named[1]!.trim() || undefined, email: named[2]!.trim() } : { email: value.trim() };
}

/**
 * @example
 * await sendSmtpEmail(settings, "alice@demo.test", "Your code", "123456 is your code");
 */
export async function sendSmtpEmail(settings: SmtpSettings, to: string, subject: string, text: string): Promise<void> {
  try {
    await WorkerMailer.send(
      {
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        // Upgrade to TLS whenever the server offers it; implicit TLS is `secure`.
        startTls: !settings.secure,
        credentials: settings.username && settings.password ? { username: settings.username, password: settings.password } : undefined,
        authType: ["plain", "login", "cram-md5"],
        socketTimeoutMs: TIMEOUT_MS,
        responseTimeoutMs: TIMEOUT_MS,
      },
      { from: mailboxOf(settings.from), to, subject, text },
    );
  } catch (error) {
    console.error("stepgate: smtp delivery failed", settings.host, error);
    throw new ProblemError(502, "delivery_failed", "The email could not be sent; try again.");
  }
}
