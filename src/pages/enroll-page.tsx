/**
 * @module
 * Enrolling an authenticator app: the QR code, the secret for typing in by hand, and the
 * first code to confirm it; or the same for a new app replacing the enrolled one.
 */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import type { PageText } from "./i18n/page-text";
import { RequiredNote } from "./enroll-choice-page";
import { Approving, ErrorNote, Layout, TrustThisDevice, type Branding } from "./layout";
import type { ApprovedField } from "../factors/approved-field";

export interface EnrollPageProps {
  branding: Branding;
  text: PageText;
  enrollmentId: string;
  secret: string;
  otpauthUri: string;
  /** SVG made by the QR library from our own URI; no user input reaches it unescaped. */
  qrSvg: string;
  digits: number;
  challengeId: string | null;
  /** The enrolled app this one replaces (its factor id), or `null` for a first app. */
  replaces: string | null;
  /** What the challenge that sent the user here approves (empty when none). */
  approving: readonly ApprovedField[];
  csrf: string;
  error: string | null;
  offerTrust: boolean;
}

/**
 * @example
 * renderPage(c, <EnrollPage branding={…} text={text} enrollmentId={id} secret={secret} qrSvg={svg} … />)
 */
export const EnrollPage: FC<EnrollPageProps> = (props) => {
  const { text } = props;
  return (
    <Layout branding={props.branding} text={text} title={text.t(props.replaces ? "enroll.replaceTitle" : "enroll.title")}>
      {props.challengeId ? <RequiredNote text={text} branding={props.branding} /> : null}
      {props.replaces ? (
        <p class="card" id="replacing">
          {text.t("enroll.replaceNote")}
        </p>
      ) : null}
      <Approving text={text} approving={props.approving} />
      <div class="card">
        <p>
          <strong>{text.number(1)}.</strong> {text.t("enroll.scan")}
        </p>
        <div class="qr" role="img" aria-label={text.t("enroll.qrLabel")}>
          {raw(props.qrSvg)}
        </div>
        <p class="muted">{text.t("enroll.cantScan")}</p>
        <p class="secret" id="secret">
          {props.secret.replace(/(.{4})/g, "$1 ").trim()}
        </p>
        <p class="muted">{text.parts("enroll.onThisPhone", { link: <a href={props.otpauthUri}>{text.t("enroll.openApp")}</a> })}</p>
      </div>
      <div class="card">
        <p>
          <strong>{text.number(2)}.</strong> {text.t("enroll.enterCode", { digits: props.digits })}
        </p>
        <ErrorNote message={props.error} />
        <form method="post" action="/__stepgate/enroll">
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="enrollmentId" value={props.enrollmentId} />
          <input type="hidden" name="kind" value="totp" />
          {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
          {props.replaces ? <input type="hidden" name="replace" value={props.replaces} /> : null}
          <label for="code">{text.t("enroll.appCode")}</label>
          <input id="code" name="code" type="text" required autocomplete="one-time-code" inputmode="numeric" maxlength={props.digits + 2} />
          {props.offerTrust ? <TrustThisDevice text={text} /> : null}
          <button type="submit">{text.t(props.replaces ? "enroll.replace" : "enroll.turnOn")}</button>
        </form>
      </div>
      {props.replaces ? (
        <p>
          <a href="/__stepgate/settings">{text.t("settings.cancel")}</a>
        </p>
      ) : null}
    </Layout>
  );
};
