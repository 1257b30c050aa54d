/**
 * @module
 * What a browser sees when a form it submitted needs a second factor first: the request is
 * answered 401 (it was not carried out), with a way on to the challenge and back.
 */
import type { FC } from "hono/jsx";
import { Layout, operationLabel, type Branding } from "./layout";

export interface StepUpRequiredPageProps {
  branding: Branding;
  operation: string;
  mustEnroll: boolean;
  /** The hosted page that verifies (or enrols) for this challenge. */
  verifyPath: string;
  /** Whether the submitted form is kept and will be sent once the user has verified. */
  held: boolean;
}

/**
 * @example
 * <StepUpRequiredPage branding={…} operation="withdraw" mustEnroll={false} verifyPath="/__stepgate/challenge/…" held />
 */
export const StepUpRequiredPage: FC<StepUpRequiredPageProps> = ({ branding, operation, mustEnroll, verifyPath, held }) => (
  <Layout branding={branding} title={`Confirm ${operationLabel(operation)}`}>
    <div class="card">
      <p>
        {mustEnroll
          ? `Before you can ${operationLabel(operation)}, set up two-factor verification for your account.`
          : `To ${operationLabel(operation)}, confirm it's you with your second factor.`}{" "}
        Nothing has been submitted yet.
      </p>
      <p>
        <a href={verifyPath}>{mustEnroll ? "Set up two-factor verification" : "Verify now"}</a>
      </p>
      <p class="muted">
        {held
          ? "What you filled in is kept: once you have verified, it is sent for you, once."
          : "This form is too large to keep (or uploads files): afterwards you will be brought back to it to send it again."}
      </p>
    </div>
  </Layout>
);
