/**
 * @module
 * Enrolling an authenticator app: the QR code, the secret for typing in by hand, and the
 * first code to confirm it.
 */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { Approving, ErrorNote, Layout, TrustThisDevice, type Branding } from "./layout";

export interface EnrollPageProps {
  branding: Branding;
  enrollmentId: string;
  secret: string;
  otpauthUri: string;
  /** SVG made by the QR library from our own URI; no user input reaches it unescaped. */
  qrSvg: string;
  digits: number;
  challengeId: string | null;
  /** What the challenge that sent the user here approves (empty when none). */
  approving: ReadonlyArray<{ field: string; value: string }>;
  csrf: string;
  error: string | null;
  offerTrust: boolean;
}

/**
 * @example
 * renderPage(c, <EnrollPage branding={…} enrollmentId={id} secret={secret} qrSvg={svg} … />)
 */
export const EnrollPage: FC<EnrollPageProps> = (props) => (
  <Layout branding={props.branding} title="Set up two-factor verification">
    <Approving approving={props.approving} />
    <div class="card">
      <p>
        <strong>1.</strong> Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password, Authy…).
      </p>
      <div class="qr" role="img" aria-label="QR code for your authenticator app">
        {raw(props.qrSvg)}
      </div>
      <p class="muted">Can't scan it? Enter this key in the app instead:</p>
      <p class="secret" id="secret">
        {props.secret.replace(/(.{4})/g, "$1 ").trim()}
      </p>
      <p class="muted">
        On this phone? <a href={props.otpauthUri}>Open in your authenticator app</a>.
      </p>
    </div>
    <div class="card">
      <p>
        <strong>2.</strong> Enter the {props.digits}-digit code the app now shows.
      </p>
      <ErrorNote message={props.error} />
      <form method="post" action="/__stepgate/enroll">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="enrollmentId" value={props.enrollmentId} />
        <input type="hidden" name="kind" value="totp" />
        {props.challengeId ? <input type="hidden" name="challenge" value={props.challengeId} /> : null}
        <label for="code">Code from the app</label>
        <input id="code" name="code" type="text" required autocomplete="one-time-code" inputmode="numeric" maxlength={props.digits + 2} />
        {props.offerTrust ? <TrustThisDevice /> : null}
        <button type="submit">Turn on two-factor verification</button>
      </form>
    </div>
  </Layout>
);
