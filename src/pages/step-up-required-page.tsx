/**
 * @module
 * What a browser sees when a form it submitted needs a second factor first and cannot be held
 * (it uploads files, or is larger than stepgate keeps): the request is answered 401 (it was not
 * carried out), with what was being approved and a button on to the challenge. A form that is
 * held never sees this page: it is sent straight to the challenge.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { Approving, Layout, type Branding } from "./layout";

export interface StepUpRequiredPageProps {
  branding: Branding;
  text: PageText;
  operation: string;
  mustEnroll: boolean;
  /** The hosted page that verifies (or enrols) for this challenge. */
  verifyPath: string;
  /** The form's fields the policy shows (`display`). */
  approving: ReadonlyArray<{ field: string; value: string }>;
}

/**
 * @example
 * <StepUpRequiredPage branding={…} text={text} operation="withdraw" mustEnroll={false} verifyPath="/__stepgate/challenge/…" approving={[]} />
 */
export const StepUpRequiredPage: FC<StepUpRequiredPageProps> = ({ branding, text, operation, mustEnroll, verifyPath, approving }) => {
  const named = { operation: text.operation(operation) };
  // A GET form drops the action's query: the enrolment page's `?challenge=` goes in as a field.
  const target = new URL(verifyPath, "https://stepgate.invalid");
  return (
    <Layout branding={branding} text={text} title={text.operationTitle(operation)}>
      <div class="card">
        <p>
          {text.t(mustEnroll ? "stepUp.enrollFirst" : "stepUp.verifyFirst", named)} {text.t("stepUp.nothingSent")}
        </p>
        <Approving text={text} approving={approving} />
        <p class="muted">{text.t("stepUp.notKept")}</p>
        <form method="get" action={target.pathname}>
          {[...target.searchParams].map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <button type="submit">{text.t(mustEnroll ? "enroll.title" : "stepUp.verifyNow")}</button>
        </form>
      </div>
    </Layout>
  );
};
