/**
 * @module
 * Choosing how to confirm it's you: a passkey, an authenticator app (or replacing the one the
 * user has), text messages or email; and the note that opens enrolment the portal requires.
 */
import type { FC } from "hono/jsx";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

export interface EnrollChoicePageProps {
  branding: Branding;
  text: PageText;
  /** The factors the policy offers, in order. */
  offered: Array<"webauthn" | "totp" | "sms" | "email">;
  challengeId: string | null;
  /**
   * The user's authenticator app (its factor id), when they have one: a user has one app, so
   * instead of adding another they are offered to replace it.
   */
  replaceApp: string | null;
}

const LABELS: Record<"webauthn" | "totp" | "sms" | "email", readonly [PageKey, PageKey]> = {
  webauthn: ["passkey.factor", "passkey.hint"],
  totp: ["factor.totp", "enroll.totpHint"],
  sms: ["factor.sms", "enroll.smsHint"],
  email: ["factor.email", "enroll.emailHint"],
};

/**
 * Why a user sent here by the gate must enrol: the organisation now requires it (an enrolment
 * challenge is opened only when the policy requires 2FA of this user).
 * @example
 * {challengeId ? <RequiredNote text={text} branding={branding} /> : null}
 */
export const RequiredNote: FC<{ text: PageText; branding: Branding }> = ({ text, branding }) => (
  <p class="card" role="status" id="required">
    {text.t("enroll.required", { portal: branding.name })}
  </p>
);

/**
 * Each factor is one card that is a link as a whole (its name and hint are the link's text), then
 * a way back: to the portal when the gate sent the user here, else to the security settings.
 * @example
 * <EnrollChoicePage branding={…} text={text} offered={["totp", "sms"]} challengeId={null} replaceApp={null} />
 */
export const EnrollChoicePage: FC<EnrollChoicePageProps> = ({ branding, text, offered, challengeId, replaceApp }) => (
  <Layout branding={branding} text={text} title={text.t("enroll.title")}>
    {challengeId ? <RequiredNote text={text} branding={branding} /> : null}
    <p id="choose">{text.t("enroll.choose")}</p>
    <ul class="choices" aria-labelledby="choose">
      {offered.map((factor) =>
        factor === "totp" && replaceApp ? (
          <li id="replace-app">
            <a class="card choice" href={`/__stepgate/enroll?factor=totp&replace=${replaceApp}`}>
              <strong>{text.t("enroll.replace")}</strong>
              <span class="muted">{text.t("enroll.replaceHint")}</span>
            </a>
          </li>
        ) : (
          <li>
            <a class="card choice" href={`/__stepgate/enroll?factor=${factor}${challengeId ? `&challenge=${challengeId}` : ""}`}>
              <strong>{text.t(LABELS[factor][0])}</strong>
              <span class="muted">{text.t(LABELS[factor][1])}</span>
            </a>
          </li>
        ),
      )}
    </ul>
    <p>
      {challengeId ? (
        <a href={branding.portalUrl ?? "/"}>{text.t("enroll.backToPortal", { portal: branding.name })}</a>
      ) : (
        <a href="/__stepgate/settings">{text.t("enroll.backToSettings")}</a>
      )}
    </p>
  </Layout>
);
