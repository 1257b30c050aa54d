/**
 * @module
 * The passkey part of the challenge page: what happens when the user goes on, then the button
 * that asks the browser for the passkey's answer to this challenge's options (their challenge
 * derived from the request being approved, shown above it before any prompt).
 */
import type { FC } from "hono/jsx";
import type { RequestOptionsJSON } from "../factors/webauthn-options";
import type { PageText } from "./i18n/page-text";
import { ErrorNote, TrustThisDevice } from "./layout";
import { PasskeyForm } from "./passkey-form";

export interface PasskeyAnswerProps {
  text: PageText;
  /** The challenge's form action. */
  action: string;
  csrf: string;
  /** The request options for this challenge (`passkeyRequestOptions`). */
  options: RequestOptionsJSON;
  offerTrust: boolean;
  /** Whether the request is kept and will be sent once verified. */
  held: boolean;
  error: string | null;
}

/**
 * @example
 * <PasskeyAnswer text={text} action={`/__stepgate/challenge/${id}`} csrf={csrf} options={publicKey} offerTrust={false} held error={null} />
 */
export const PasskeyAnswer: FC<PasskeyAnswerProps> = ({ text, action, csrf, options, offerTrust, held, error }) => (
  <>
    <p>{text.t("passkey.help")}</p>
    {held ? <p class="muted">{text.t("challenge.held")}</p> : null}
    <ErrorNote message={error} />
    <PasskeyForm text={text} ceremony="get" options={options} action={action} csrf={csrf} submit={text.t("passkey.use")}>
      <input type="hidden" name="factor" value="webauthn" />
      {offerTrust ? <TrustThisDevice text={text} /> : null}
    </PasskeyForm>
  </>
);
