/**
 * @module
 * Choosing how to receive codes: an authenticator app, text messages or email.
 */
import type { FC } from "hono/jsx";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Layout, type Branding } from "./layout";

export interface EnrollChoicePageProps {
  branding: Branding;
  text: PageText;
  /** The factors the policy offers, in order. */
  offered: Array<"totp" | "sms" | "email">;
  challengeId: string | null;
}

const LABELS: Record<"totp" | "sms" | "email", readonly [PageKey, PageKey]> = {
  totp: ["factor.totp", "enroll.totpHint"],
  sms: ["factor.sms", "enroll.smsHint"],
  email: ["factor.email", "enroll.emailHint"],
};

/**
 * @example
 * <EnrollChoicePage branding={…} text={text} offered={["totp", "sms"]} challengeId={null} />
 */
export const EnrollChoicePage: FC<EnrollChoicePageProps> = ({ branding, text, offered, challengeId }) => (
  <Layout branding={branding} text={text} title={text.t("enroll.title")}>
    <p>{text.t("enroll.choose")}</p>
    {offered.map((factor) => (
      <div class="card">
        <a href={`/__stepgate/enroll?factor=${factor}${challengeId ? `&challenge=${challengeId}` : ""}`}>
          <strong>{text.t(LABELS[factor][0])}</strong>
        </a>
        <p class="muted">{text.t(LABELS[factor][1])}</p>
      </div>
    ))}
  </Layout>
);
