/**
 * @module
 * Enrolling a phone number or an email address: ask for it, then confirm the first code. The
 * code sent is asked for whenever the page is opened again (with a way to give another address
 * instead), and the wait before a new one is counted down.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { CodeWait, type ShownCode } from "./code-wait";
import { Approving, ErrorNote, Layout, Ltr, TrustThisDevice, type Branding } from "./layout";
import type { ApprovedField } from "../factors/approved-field";

/** The example number the phone field shows, and its error names (a real number's shape, never anyone's). */
export const EXAMPLE_PHONE = "+1 415 555 2671";

export interface EnrollAddressPageProps {
  branding: Branding;
  text: PageText;
  kind: "sms" | "email";
  challengeId: string | null;
  /** What the challenge that sent the user here approves (empty when none). */
  approving: readonly ApprovedField[];
  csrf: string;
  error: string | null;
  /** After the first code was sent: the enrolment to confirm, where its code went, the wait before another. */
  sent: (ShownCode & { enrollmentId: string }) | null;
  /** What the user typed, shown again after an error. */
  address: string;
  offerTrust: boolean;
}

/**
 * @example
 * <EnrollAddressPage branding={…} text={text} kind="sms" sent={null} … />
 */
export const EnrollAddressPage: FC<EnrollAddressPageProps> = (props) => {
  const { text } = props;
  const phone = props.kind === "sms";
  const destination = (
    <strong>
      <Ltr text={text}>{props.sent?.destination ?? ""}</Ltr>
    </strong>
  );
  return (
    <Layout branding={props.branding} text={text} title={text.t(phone ? "enroll.smsTitle" : "enroll.emailTitle")}>
      <Approving text={text} approving={props.approving} />
      <div class="card">
        <ErrorNote message={props.error} />
        {props.sent ? (
          <>
            {props.sent.sent ? (
              <form method="post" action="/__stepgate/enroll">
                <p role="status">
                  {text.parts("code.sentTo", { destination })} {text.t("code.enterBelow")}
                </p>
                <input type="hidden" name="csrf" value={props.csrf} />
                <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
                <input type="hidden" name="kind" value={props.kind} />
                {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
                <label for="code">{text.t("code.label")}</label>
                <input id="code" name="code" type="text" required autofocus autocomplete="one-time-code" inputmode="numeric" maxlength={12} />
                {props.offerTrust ? <TrustThisDevice text={text} /> : null}
                <button type="submit">{text.t("enroll.confirm")}</button>
              </form>
            ) : (
              <p>{text.parts("code.willSendTo", { destination })}</p>
            )}
            <form method="post" action={`/__stepgate/enroll/${props.kind}/resend`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
              {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
              <button type="submit" class={props.sent.sent ? "secondary" : undefined}>
                {text.t("code.sendNew")}
              </button>
              <CodeWait text={text} seconds={props.sent.resendInSeconds} message="challenge.resendIn" />
            </form>
            <p>
              <a href={otherAddressHref(props.kind, props.challengeId)}>{text.t(phone ? "enroll.otherPhone" : "enroll.otherEmail")}</a>
            </p>
          </>
        ) : (
          <form method="post" action={`/__stepgate/enroll/${props.kind}`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
            <label for="address">{text.t(phone ? "enroll.phoneLabel" : "enroll.emailLabel")}</label>
            <input
              id="address"
              name="address"
              type={phone ? "tel" : "email"}
              required
              autofocus
              autocomplete={phone ? "tel" : "email"}
              value={props.address}
              placeholder={phone ? EXAMPLE_PHONE : "you@example.com"}
            />
            <button type="submit">{text.t("enroll.sendMe")}</button>
          </form>
        )}
      </div>
    </Layout>
  );
};

/** This page for another address: the address form, even while a code sent to the last one still works. */
function otherAddressHref(kind: "sms" | "email", challengeId: string | null): string {
  return `/__stepgate/enroll?factor=${kind}&change=1${challengeId ? `&challenge=${challengeId}` : ""}`;
}
