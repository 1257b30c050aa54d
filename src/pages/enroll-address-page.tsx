/**
 * @module
 * Enrolling a phone number or an email address: ask for it, then confirm the first code.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
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
  /** After the first code was sent: the enrolment to confirm and where the code went. */
  sent: { enrollmentId: string; destination: string } | null;
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
  return (
    <Layout branding={props.branding} text={text} title={text.t(phone ? "enroll.smsTitle" : "enroll.emailTitle")}>
      <Approving text={text} approving={props.approving} />
      <div class="card">
        <ErrorNote message={props.error} />
        {props.sent ? (
          <>
            <form method="post" action="/__stepgate/enroll">
              <p role="status">
                {text.parts("code.sentTo", {
                  destination: (
                    <strong>
                      <Ltr text={text}>{props.sent.destination}</Ltr>
                    </strong>
                  ),
                })}
              </p>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
              <input type="hidden" name="kind" value={props.kind} />
              <input type="hidden" name="destination" value={props.sent.destination} />
              {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
              <label for="code">{text.t("code.label")}</label>
              <input id="code" name="code" type="text" required autofocus autocomplete="one-time-code" inputmode="numeric" maxlength={12} />
              {props.offerTrust ? <TrustThisDevice text={text} /> : null}
              <button type="submit">{text.t("enroll.confirm")}</button>
            </form>
            <form method="post" action={`/__stepgate/enroll/${props.kind}/resend`}>
              <input type="hidden" name="csrf" value={props.csrf} />
              <input type="hidden" name="enrollmentId" value={props.sent.enrollmentId} />
              <input type="hidden" name="destination" value={props.sent.destination} />
              {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
              <button type="submit" class="secondary">
                {text.t("code.sendNew")}
              </button>
            </form>
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
