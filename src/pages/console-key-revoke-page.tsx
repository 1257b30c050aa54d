/**
 * @module
 * "Are you sure?" before an API key is revoked: the key by name and id, what it may do, and
 * what revoking it does (at once, with the keys it made). The GET only shows the form; the POST
 * (with the console's CSRF token) revokes. A key holding scopes the admin lacks is out of their
 * reach (`allowed` false): the page says so and offers no button.
 */
import type { FC } from "hono/jsx";
import type { ApiKeyView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { KEYS_PATH, KeyId, KeyName, KeyScopes } from "./console-keys-page";
import { ConsoleLayout } from "./console-layout";

/**
 * @example
 * renderPage(c, <ConsoleKeyRevokePage frame={frame} apiKey={key} allowed={true} />)
 */
export const ConsoleKeyRevokePage: FC<{ frame: ConsoleFrame; apiKey: ApiKeyView; allowed: boolean }> = ({ frame, apiKey, allowed }) => {
  const { text, csrf } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.keys.revokeTitle")}>
      <div class="card">
        <p id="subject">
          {text.parts("console.keys.revokeSubject", { name: <KeyName text={text} name={apiKey.name} />, id: <KeyId text={text} id={apiKey.id} /> })}
        </p>
        <KeyScopes text={text} scopes={apiKey.scopes} />
        {allowed ? (
          <>
            <p>{text.t("console.keys.revokeWarning")}</p>
            <form method="post" action={`${KEYS_PATH}/${apiKey.id}/revoke`}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit">{text.t("console.keys.revokeConfirm")}</button>
            </form>
          </>
        ) : (
          <p class="error" role="alert">
            {text.t("console.keys.stronger")}
          </p>
        )}
        <p>
          <a href={KEYS_PATH}>{text.t("console.keys.cancel")}</a>
        </p>
      </div>
    </ConsoleLayout>
  );
};
