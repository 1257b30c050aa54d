/**
 * @module
 * Email through the tenant's own SMTP server, over `cloudflare:sockets` with `worker-mailer`.
 */
import { WorkerMailer } from "worker-mailer";
import { isEmailAddress } from "../lib/email-address";
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
/** Ends an SMTP command or header line. */
const LINE_BREAK = /[\r\n]/;
/** What a bare address in the envelope never holds (the policy's `from` may be wider than {@link isEmailAddress}). */
const NOT_ONE_ADDRESS = /[\s<>,;"]|^[^@]*$/;

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
  const from = mailboxOf(settings.from);
  // worker-mailer writes these verbatim into `MAIL FROM:<…>`, `RCPT TO:<…>` and the header lines:
  // a line break or an angle bracket there is a command or header of the sender's choosing. The
  // policy, enrolment and the session's email claim are checked before; this is the last stop.
  if (!isEmailAddress(to) || NOT_ONE_ADDRESS.test(from.email) || LINE_BREAK.test(from.name ?? "") || LINE_BREAK.test(subject)) {
    console.error("stepgate: smtp refused a recipient, sender or subject that is not one plain value");
    throw new ProblemError(502, "delivery_failed", "The email could not be sent; try again.");
  }
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
      { from, to, subject, text },
    );
  } catch (error) {
    console.error("stepgate: smtp delivery failed", settings.host, error);
    throw new ProblemError(502, "delivery_failed", "The email could not be sent; try again.");
  }
}
