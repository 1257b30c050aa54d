/**
 * @module
 * A code by text or email as its page shows it (where it goes, whether the one sent still works)
 * and the wait before another may be sent, beside the button that sends it: the seconds left as
 * the server counted them, counted down by the page's script, which keeps the button disabled
 * until then. Without script the button stays usable, and an early press is answered with the wait.
 */
import type { FC } from "hono/jsx";
import type { SentCodeStatus } from "../state/user";
import type { PageText } from "./i18n/page-text";
import { PageScript } from "./layout";

export interface ShownCode {
  /** Where codes go, masked. */
  destination: string;
  /** A code was sent and still works: the page asks for it. */
  sent: boolean;
  /** Seconds until another code may be sent; 0 when at once. */
  resendInSeconds: number;
}

/**
 * What the page shows of the user's object's {@link SentCodeStatus}, at `now`.
 * @example
 * shownCode({ ok: true, enrollmentId: null, destination: "+1•••2671", sent: true, resendAfter: Date.now() + 30_000 }, Date.now())
 */
export function shownCode(status: SentCodeStatus, now: number): ShownCode {
  return { destination: status.destination, sent: status.sent, resendInSeconds: Math.max(0, Math.ceil((status.resendAfter - now) / 1000)) };
}

/**
 * The wait, inside the send form and after its button (the script finds the form's button);
 * nothing when a code may be sent at once.
 * @example
 * <CodeWait text={text} seconds={42} message="challenge.resendIn" />
 */
export const CodeWait: FC<{ text: PageText; seconds: number; message: "challenge.resendIn" | "code.sendIn" }> = ({ text, seconds, message }) =>
  seconds > 0 ? (
    <>
      <p class="muted" data-countdown={String(seconds)}>
        {text.parts(message, { wait: <span data-wait="">{text.wait(seconds)}</span> })}
      </p>
      <PageScript name="countdown" />
    </>
  ) : null;
