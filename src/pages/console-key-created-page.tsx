/**
 * @module
 * A new API key's secret, shown this once: in a read-only field (select it and copy it; where
 * script runs, a button copies it), with what the key may do. The page is the answer to the form
 * that made the key, never a page of its own to come back to: nothing keeps the secret to show it again.
 */
import type { FC } from "hono/jsx";
import type { ApiKeyView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { KEYS_PATH, KeyName, KeyScopes } from "./console-keys-page";
import { ConsoleLayout } from "./console-layout";
import { PageScript } from "./layout";

/**
 * @example
 * renderPage(c, <ConsoleKeyCreatedPage frame={frame} created={created} />, 200, { "Cache-Control": "no-store" })
 */
export const ConsoleKeyCreatedPage: FC<{ frame: ConsoleFrame; created: ApiKeyView & { key: string } }> = ({ frame, created }) => {
  const { text } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.keys.createdTitle")}>
      <section class="card">
        <p>{text.parts("console.keys.createdIntro", { name: <KeyName text={text} name={created.name} /> })}</p>
        <KeyScopes text={text} scopes={created.scopes} />
        <label for="new-key">{text.t("console.keys.secret")}</label>
        <input type="text" id="new-key" class="secret" value={created.key} readonly autocomplete="off" spellcheck={false} aria-describedby="copy-now" />
        <p id="copy-now">
          <strong>{text.t("console.keys.copyNow")}</strong>
        </p>
        <button type="button" class="secondary" id="copy-key" hidden>
          {text.t("console.keys.copy")}
        </button>
        <p class="muted" role="status">
          <span id="key-copied" hidden>
            {text.t("console.keys.copied")}
          </span>
        </p>
        <a class="button" href={KEYS_PATH}>
          {text.t("console.keys.back")}
        </a>
        <PageScript name="copyKey" />
      </section>
    </ConsoleLayout>
  );
};
