/**
 * @module
 * What a browser sees when a form it submitted needs a second factor first: the request is
 * answered 401 (it was not carried out), with a way on to the challenge and back.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

export interface StepUpRequiredPageProps {
  branding: Branding;
  text: PageText;
  operation: string;
  mustEnroll: boolean;
  /** The hosted page that verifies (or enrols) for this challenge. */
  verifyPath: string;
  /** Whether the submitted form is kept and will be sent once the user has verified. */
  held: boolean;
}

/**
 * @example
 * <StepUpRequiredPage branding={…} text={text} operation="withdraw" mustEnroll={false} verifyPath="/__stepgate/challenge/…" held />
 */
export const StepUpRequiredPage: FC<StepUpRequiredPageProps> = ({ branding, text, operation, mustEnroll, verifyPath, held }) => {
  const named = { operation: text.operation(operation) };
  return (
    <Layout branding={branding} text={text} title={text.t("challenge.title", named)}>
      <div class="card">
        <p>
          {text.t(mustEnroll ? "stepUp.enrollFirst" : "stepUp.verifyFirst", named)} {text.t("stepUp.nothingSent")}
        </p>
        <p>
          <a href={verifyPath}>{text.t(mustEnroll ? "enroll.title" : "stepUp.verifyNow")}</a>
        </p>
        <p class="muted">{text.t(held ? "stepUp.kept" : "stepUp.notKept")}</p>
      </div>
    </Layout>
  );
};
