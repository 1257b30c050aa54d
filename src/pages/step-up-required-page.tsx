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
}

/**
 * @example
 * <StepUpRequiredPage branding={…} operation="withdraw" mustEnroll={false} verifyPath="/__stepgate/challenge/…" />
 */
export const StepUpRequiredPage: FC<StepUpRequiredPageProps> = ({ branding, operation, mustEnroll, verifyPath }) => (
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
      <p class="muted">Afterwards you will be brought back to the form to send it again.</p>
    </div>
  </Layout>
);
