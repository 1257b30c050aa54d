/**
 * @module
 * The challenge page: enter the code from the authenticator app, or a backup code.
 */
import type { FC } from "hono/jsx";
import { ErrorNote, Layout, operationLabel, type Branding } from "./layout";

export interface ChallengePageProps {
  branding: Branding;
  challengeId: string;
  operation: string;
  factor: "totp" | "backup_code";
  /** Factors the user can answer with, to offer the other one. */
  factors: string[];
  digits: number;
  csrf: string;
  error: string | null;
}

/**
 * @example
 * c.html(<ChallengePage branding={…} challengeId={id} operation="withdraw" factor="totp" … />)
 */
export const ChallengePage: FC<ChallengePageProps> = (props) => {
  const action = `/__stepgate/challenge/${props.challengeId}`;
  const backup = props.factor === "backup_code";
  return (
    <Layout branding={props.branding} title={`Confirm ${operationLabel(props.operation)}`}>
      <div class="card">
        <p>
          {backup
            ? "Enter one of the backup codes you saved when you set up two-factor verification. Each code works once."
            : "Open your authenticator app and enter the code it shows for this account."}
        </p>
        <ErrorNote message={props.error} />
        <form method="post" action={action}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="factor" value={props.factor} />
          <label for="code">{backup ? "Backup code" : `${props.digits}-digit code`}</label>
          <input
            id="code"
            name="code"
            type="text"
            required
            autofocus
            autocomplete="one-time-code"
            inputmode={backup ? "text" : "numeric"}
            pattern={backup ? undefined : `[0-9 ]{${props.digits},${props.digits + 2}}`}
            maxlength={backup ? 16 : props.digits + 2}
            aria-describedby="code-help"
          />
          <p id="code-help" class="muted">
            {backup ? "Like 7k2mq-c9x4d. Upper or lower case, with or without the dash." : "The code changes every 30 seconds."}
          </p>
          <button type="submit">Verify</button>
        </form>
      </div>
      {backup ? (
        <p>
          <a href={action}>Use your authenticator app instead</a>
        </p>
      ) : props.factors.includes("backup_code") ? (
        <p>
          <a href={`${action}?factor=backup_code`}>Use a backup code instead</a>
        </p>
      ) : null}
    </Layout>
  );
};
