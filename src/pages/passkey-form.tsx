/**
 * @module
 * The passkey part of a page, to create one or to answer with one: a form hidden until the
 * page's script finds WebAuthn in the browser (without it, or without script, the note that
 * passkeys need a browser that supports them stays in its place), the options for the browser
 * in a data attribute (escaped like any attribute, read by the script as JSON, never run), the
 * field the browser's answer is sent in, and the notes the script shows when the browser's
 * prompt is cancelled or fails.
 */
import type { Child, FC } from "hono/jsx";
import type { CreationOptionsJSON, RequestOptionsJSON } from "../factors/webauthn-options";
import type { PageText } from "./i18n/page-text";
import { PageScript } from "./layout";

export interface PasskeyFormProps {
  text: PageText;
  /** Create a passkey (`navigator.credentials.create()`), or answer with one (`get()`). */
  ceremony: "create" | "get";
  /** The options for the browser, as JSON (`PublicKeyCredential.parse…OptionsFromJSON`). */
  options: CreationOptionsJSON | RequestOptionsJSON;
  action: string;
  csrf: string;
  /** The button's words. */
  submit: string;
  /** The form's other fields, before its button. */
  children?: Child;
}

/**
 * @example
 * <PasskeyForm text={text} ceremony="get" options={publicKey} action={action} csrf={csrf} submit={text.t("passkey.use")} />
 */
export const PasskeyForm: FC<PasskeyFormProps> = ({ text, ceremony, options, action, csrf, submit, children }) => (
  <>
    <p id="passkey-unsupported">{text.t("passkey.unsupported")}</p>
    <p id="passkey-cancelled" class="error" role="alert" hidden>
      {/* The browser says the same for a prompt cancelled and for no passkey of this account on the device. */}
      {text.t(ceremony === "create" ? "passkey.cancelled" : "passkey.noAnswer")}
    </p>
    {ceremony === "create" ? (
      <p id="passkey-exists" class="error" role="alert" hidden>
        {text.t("passkey.exists")}
      </p>
    ) : null}
    <p id="passkey-failed" class="error" role="alert" hidden>
      {text.t("passkey.failed")}
    </p>
    <form method="post" action={action} data-passkey={ceremony} data-options={JSON.stringify(options)} hidden>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="response" value="" />
      {children}
      <button type="submit">{submit}</button>
    </form>
    <PageScript name="passkey" />
  </>
);
