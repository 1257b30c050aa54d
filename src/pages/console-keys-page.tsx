/**
 * @module
 * The console's API keys: the tenant's live keys as a table (never their secrets), each with
 * the way to revoke it where the admin may, and the form that creates one, offering only the
 * scopes the admin holds (the others shown, disabled, with the reason).
 */
import type { Child, FC } from "hono/jsx";
import { ALL_SCOPES, type AdminScope, scopesBeyond } from "../config/admins-schema";
import { CONSOLE_BASE } from "../flows/console-access";
import type { ApiKeyView } from "../state/tenant/views";
import type { ConsoleFrame } from "./console-frame";
import { SCOPE_WORDS } from "./console-home-page";
import { ConsoleLayout } from "./console-layout";
import type { PageText } from "./i18n/page-text";
import { Ltr } from "./layout";

export const KEYS_PATH = `${CONSOLE_BASE}/keys`;

/** A table that scrolls sideways on a phone, and the scopes' checkboxes. */
export const KEYS_CSS = `
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:start;vertical-align:top;padding:.5rem;border-top:1px solid var(--border)}
thead th{border-top:0}
ul.scopes{margin:0;padding-inline-start:1.25rem}
fieldset{border:0;margin:.75rem 0 0;padding:0}
legend{font-weight:600}
fieldset label.check{margin-top:.5rem}
fieldset .muted{margin:0 0 0 1.75rem}
`;

/** The create form as submitted (empty when first shown), with each refused field's message. */
export interface KeyForm {
  name: string;
  scopes: readonly string[];
  errors: { name?: string; scopes?: Child };
}

export const EMPTY_KEY_FORM: KeyForm = { name: "", scopes: [], errors: {} };

export interface ConsoleKeysPageProps {
  frame: ConsoleFrame;
  keys: readonly ApiKeyView[];
  form: KeyForm;
  /** What was just done (a key revoked), shown at the top. */
  notice: Child | null;
}

/**
 * @example
 * renderPage(c, <ConsoleKeysPage frame={frame} keys={keys} form={EMPTY_KEY_FORM} notice={null} />)
 */
export const ConsoleKeysPage: FC<ConsoleKeysPageProps> = ({ frame, keys, form, notice }) => {
  const { text } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.keys.title")} css={KEYS_CSS}>
      {notice ? (
        <p role="status" id="notice">
          {notice}
        </p>
      ) : null}
      <p>{text.t("console.keys.intro")}</p>
      <section class="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">{text.t("console.keys.listHeading")}</h2>
        {keys.length === 0 ? <p class="muted">{text.t("console.keys.none")}</p> : <KeyTable text={text} keys={keys} held={frame.scopes} />}
      </section>
      <CreateKeyForm frame={frame} form={form} />
    </ConsoleLayout>
  );
};

const KeyTable: FC<{ text: PageText; keys: readonly ApiKeyView[]; held: readonly AdminScope[] }> = ({ text, keys, held }) => (
  <div class="table-wrap">
    <table id="keys" aria-labelledby="keys-heading">
      <thead>
        <tr>
          <th scope="col">{text.t("console.keys.name")}</th>
          <th scope="col">{text.t("console.keys.id")}</th>
          <th scope="col">{text.t("console.keys.scopes")}</th>
          <th scope="col">{text.t("console.keys.created")}</th>
          <th scope="col">{text.t("console.keys.lastUsed")}</th>
          <th scope="col">{text.t("console.keys.actions")}</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr data-key={key.id}>
            <td id={`key-name-${key.id}`}>{key.name}</td>
            <td>
              <KeyId text={text} id={key.id} />
            </td>
            <td>
              <KeyScopes text={text} scopes={key.scopes} />
            </td>
            <td>{text.parts("console.keys.createdBy", { actor: <KeyCreator text={text} actor={key.createdBy} /> }, { time: text.dateTime(key.createdAt) })}</td>
            <td>{key.lastUsedAt ? text.dateTime(key.lastUsedAt) : text.t("console.keys.neverUsed")}</td>
            <td>
              {/* The same rule the revocation itself applies (`scopesBeyond`): a stronger key is out of reach. */}
              {scopesBeyond(held, key.scopes).length === 0 ? (
                <a href={`${KEYS_PATH}/${key.id}/revoke`} aria-describedby={`key-name-${key.id}`}>
                  {text.t("console.keys.revoke")}
                </a>
              ) : (
                <span class="muted">{text.t("console.keys.stronger")}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const CreateKeyForm: FC<{ frame: ConsoleFrame; form: KeyForm }> = ({ frame, form }) => {
  const { text, scopes: held, csrf } = frame;
  const { name: nameError, scopes: scopesError } = form.errors;
  return (
    <section class="card" aria-labelledby="create-heading">
      <h2 id="create-heading">{text.t("console.keys.createHeading")}</h2>
      <form method="post" action={KEYS_PATH}>
        <input type="hidden" name="csrf" value={csrf} />
        <label for="key-name">{text.t("console.keys.name")}</label>
        <input
          type="text"
          id="key-name"
          name="name"
          value={form.name}
          maxlength={100}
          required
          autocomplete="off"
          aria-invalid={nameError ? "true" : undefined}
          aria-describedby={nameError ? "key-name-error" : undefined}
        />
        {nameError ? (
          <p class="error" role="alert" id="key-name-error">
            {nameError}
          </p>
        ) : null}
        <fieldset aria-describedby={scopesError ? "key-scopes-error" : undefined}>
          <legend>{text.t("console.keys.scopes")}</legend>
          {ALL_SCOPES.map((scope) => {
            const holds = held.includes(scope);
            const why = `scope-why-${scope.replace(":", "-")}`;
            return (
              <>
                <label class="check">
                  <input
                    type="checkbox"
                    name="scopes"
                    value={scope}
                    checked={holds && form.scopes.includes(scope)}
                    disabled={!holds}
                    aria-describedby={holds ? undefined : why}
                  />
                  <span>
                    {text.t(SCOPE_WORDS[scope])} <code>{scope}</code>
                  </span>
                </label>
                {holds ? null : (
                  <p class="muted" id={why}>
                    {text.t("console.keys.scopeNotHeld")}
                  </p>
                )}
              </>
            );
          })}
          {scopesError ? (
            <p class="error" role="alert" id="key-scopes-error">
              {scopesError}
            </p>
          ) : null}
        </fieldset>
        <button type="submit">{text.t("console.keys.create")}</button>
      </form>
    </section>
  );
};

/**
 * A key's scopes as what they let it do, in one order whatever order they were given in.
 * @example
 * <KeyScopes text={text} scopes={["audit:read"]} />
 */
export const KeyScopes: FC<{ text: PageText; scopes: readonly AdminScope[] }> = ({ text, scopes }) => (
  <ul class="scopes">
    {ALL_SCOPES.filter((scope) => scopes.includes(scope)).map((scope) => (
      <li data-scope={scope}>{text.t(SCOPE_WORDS[scope])}</li>
    ))}
  </ul>
);

/** Who made a key or a webhook: the bootstrap key, a key (by its id), or a portal admin (by their user id). */
export const KeyCreator: FC<{ text: PageText; actor: string }> = ({ text, actor }) => {
  if (actor === "bootstrap") return <>{text.t("console.keys.byBootstrap")}</>;
  if (actor.startsWith("key:")) return <>{text.parts("console.keys.byKey", { key: <KeyId text={text} id={actor.slice("key:".length)} /> })}</>;
  return <Ltr text={text}>{actor.replace(/^user:/, "")}</Ltr>;
};

/** A key's id, kept left to right on a page written right to left. */
export const KeyId: FC<{ text: PageText; id: string }> = ({ text, id }) => (
  <code>
    <Ltr text={text}>{id}</Ltr>
  </code>
);

/** A key's name inside a sentence, isolated so a name in another direction cannot reorder the words around it. */
export const KeyName: FC<{ text: PageText; name: string }> = ({ text, name }) => <strong>{text.dir === "rtl" ? <bdi>{name}</bdi> : name}</strong>;
