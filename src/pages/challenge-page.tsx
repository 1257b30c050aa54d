/**
 * @module
 * The challenge page: enter the code from the authenticator app, a text or an email, or a
 * backup code; ask for a code to be sent (again).
 */
import type { FC } from "hono/jsx";
import type { AnswerFactor, ApprovedField } from "../state/user";
import { Approving, ErrorNote, Layout, operationLabel, TrustThisDevice, type Branding } from "./layout";

export interface ChallengePageProps {
  branding: Branding;
  challengeId: string;
  operation: string;
  factor: AnswerFactor;
  /** Factors the user can answer with, to offer the others. */
  factors: string[];
  destinations: { sms?: string; email?: string };
  /** Set right after a code was sent by text or email. */
  sent: { destination: string; resendInSeconds: number } | null;
  digits: number;
  codeLength: number;
  csrf: string;
  error: string | null;
  /** Offer "trust this device" (the policy allows it for this operation). */
  offerTrust: boolean;
  /** What the user approves: fields of the request (escaped like any text by JSX). */
  approving: ApprovedField[];
  /** Whether the request is kept and will be sent once verified. */
  held: boolean;
}

const FACTOR_LINKS: Record<AnswerFactor, string> = {
  totp: "Use your authenticator app",
  sms: "Get a code by text message",
  email: "Get a code by email",
  backup_code: "Use a backup code",
};

/**
 * @example
 * renderPage(c, <ChallengePage branding={…} challengeId={id} operation="withdraw" factor="totp" … />)
 */
export const ChallengePage: FC<ChallengePageProps> = (props) => {
  const action = `/__stepgate/challenge/${props.challengeId}`;
  const { factor } = props;
  const sentCode = factor === "sms" || factor === "email";
  const others = (Object.keys(FACTOR_LINKS) as AnswerFactor[]).filter((f) => f !== factor && props.factors.includes(f));
  return (
    <Layout branding={props.branding} title={`Confirm ${operationLabel(props.operation)}`}>
      <div class="card">
        <Approving approving={props.approving} />
        <Instructions {...props} />
        {props.held ? <p class="muted">Once you confirm, your request is sent for you, once.</p> : null}
        <ErrorNote message={props.error} />
        {sentCode && !props.sent ? null : (
          <form method="post" action={action}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="factor" value={factor} />
            <label for="code">{factor === "backup_code" ? "Backup code" : `${sentCode ? props.codeLength : props.digits}-digit code`}</label>
            <input
              id="code"
              name="code"
              type="text"
              required
              autofocus
              autocomplete="one-time-code"
              inputmode={factor === "backup_code" ? "text" : "numeric"}
              maxlength={factor === "backup_code" ? 16 : 12}
            />
            {props.offerTrust ? <TrustThisDevice /> : null}
            <button type="submit">Verify</button>
          </form>
        )}
        {sentCode ? (
          <form method="post" action={`${action}/send`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="factor" value={factor} />
            <button type="submit" class={props.sent ? "secondary" : undefined}>
              {props.sent ? "Send a new code" : factor === "sms" ? "Text me a code" : "Email me a code"}
            </button>
            {props.sent && props.sent.resendInSeconds > 0 ? (
              <p class="muted">You can ask for a new code in {props.sent.resendInSeconds} seconds; the new code replaces this one.</p>
            ) : null}
          </form>
        ) : null}
      </div>
      {others.length > 0 ? (
        <ul>
          {others.map((f) => (
            <li>
              <a href={`${action}?factor=${f}`}>{FACTOR_LINKS[f]} instead</a>
            </li>
          ))}
        </ul>
      ) : null}
    </Layout>
  );
};

const Instructions: FC<ChallengePageProps> = ({ factor, destinations, sent }) => {
  if (factor === "backup_code") return <p>Enter one of the backup codes you saved when you set up two-factor verification. Each code works once.</p>;
  if (factor === "totp") return <p>Open your authenticator app and enter the code it shows for this account.</p>;
  const where = sent?.destination ?? destinations[factor] ?? "";
  return sent ? (
    <p role="status">
      We sent a code to <strong>{where}</strong>. Enter it below.
    </p>
  ) : (
    <p>
      We will send a code to <strong>{where}</strong>.
    </p>
  );
};
