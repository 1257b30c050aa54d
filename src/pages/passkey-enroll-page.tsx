/**
 * @module
 * Creating a passkey: what one is in a sentence, an optional name for it, and the button that
 * asks the browser for it; below, the other ways to set up verification, so a browser without
 * passkeys is never a dead end.
 */
import type { FC } from "hono/jsx";
import type { ApprovedField } from "../factors/approved-field";
import type { CreationOptionsJSON } from "../factors/webauthn-options";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { RequiredNote } from "./enroll-choice-page";
import { Approving, ErrorNote, Layout, TrustThisDevice, type Branding } from "./layout";
import { PasskeyForm } from "./passkey-form";

export interface PasskeyEnrollPageProps {
  branding: Branding;
  text: PageText;
  enrollmentId: string;
  /** The creation options of the pending enrolment `enrollmentId`. */
  publicKey: CreationOptionsJSON;
  challengeId: string | null;
  /** What the challenge that sent the user here approves (empty when none). */
  approving: readonly ApprovedField[];
  /** The other factors the policy offers, in order. */
  others: Array<"totp" | "sms" | "email">;
  csrf: string;
  error: string | null;
  offerTrust: boolean;
}

const NAMES: Record<"totp" | "sms" | "email", PageKey> = { totp: "factor.totp", sms: "factor.sms", email: "factor.email" };

/**
 * @example
 * renderPage(c, <PasskeyEnrollPage branding={…} text={text} enrollmentId={id} publicKey={publicKey} others={["totp"]} … />)
 */
export const PasskeyEnrollPage: FC<PasskeyEnrollPageProps> = (props) => {
  const { text, challengeId } = props;
  const query = challengeId ? `&challenge=${challengeId}` : "";
  return (
    <Layout branding={props.branding} text={text} title={text.t("passkey.enrollTitle")}>
      {challengeId ? <RequiredNote text={text} branding={props.branding} /> : null}
      <Approving text={text} approving={props.approving} />
      <div class="card">
        <p>{text.t("passkey.explain")}</p>
        <ErrorNote message={props.error} />
        <PasskeyForm
          text={text}
          ceremony="create"
          options={props.publicKey}
          action="/__stepgate/enroll/webauthn"
          csrf={props.csrf}
          submit={text.t("passkey.create")}
        >
          <input type="hidden" name="enrollmentId" value={props.enrollmentId} />
          {challengeId ? <input type="hidden" name="challenge" value={challengeId} /> : null}
          <label for="passkey-name">{text.t("passkey.nameLabel")}</label>
          <input id="passkey-name" name="name" type="text" maxlength={64} autocomplete="off" />
          {props.offerTrust ? <TrustThisDevice text={text} /> : null}
        </PasskeyForm>
      </div>
      <p id="other-ways">{text.t("passkey.otherWays")}</p>
      <ul class="ways" aria-labelledby="other-ways">
        {props.others.map((factor) => (
          <li>
            <a href={`/__stepgate/enroll?factor=${factor}${query}`}>{text.t(NAMES[factor])}</a>
          </li>
        ))}
      </ul>
      <p>
        {challengeId ? (
          <a href={props.branding.portalUrl ?? "/"}>{text.t("enroll.backToPortal", { portal: props.branding.name })}</a>
        ) : (
          <a href="/__stepgate/settings">{text.t("enroll.backToSettings")}</a>
        )}
      </p>
    </Layout>
  );
};
