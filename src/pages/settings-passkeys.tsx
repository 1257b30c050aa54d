/**
 * @module
 * Passkeys on the settings page: each one's name (its owner's words, kept in an isolate so a
 * right-to-left name cannot reorder the row), what it is, whether it is synced, when it was added
 * and last used, and a form to rename it that needs no script; and what a refused name is called.
 */
import type { Child, FC } from "hono/jsx";
import { PasskeyName } from "../factors/authenticator-names";
import type { FactorDetail, FactorSummary } from "../state/user";
import type { PageText } from "./i18n/page-text";

/** The rename form sits under its passkey's row, across the whole width, folded until asked for. */
export const PASSKEY_CSS = `
.facts{display:block}
details.rename{flex-basis:100%}
details.rename summary{cursor:pointer;color:var(--accent);font-size:.9rem}
details.rename form{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem}
details.rename label{flex-basis:100%;margin-bottom:0}
details.rename input{flex:1 1 12rem}
details.rename .error{flex-basis:100%;margin:0}
`;

/** A name refused by the rename form: whose it was, what was typed, and why. */
export interface RenameRefusal {
  factorId: string;
  value: string;
  message: string;
}

/**
 * `name` as a passkey's name (`PasskeyName`: trimmed), or why it is not one in the page's language.
 * @example
 * checkedPasskeyName(text, "pay\u202Eevil") // { problem: "A name can only be plain text, …" }
 */
export function checkedPasskeyName(text: PageText, name: unknown): { name: string } | { problem: string } {
  const parsed = PasskeyName.safeParse(name);
  if (parsed.success) return { name: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === "too_big") return { problem: text.t("settings.passkeyNameTooLong", { count: Number(issue.maximum) }) };
  if (issue?.code === "invalid_format") return { problem: text.t("settings.passkeyNameCharacters") };
  return { problem: text.t("settings.passkeyNameEmpty") };
}

/** What a passkey is, in the page's language: "Passkey" or "Security key". */
function kindWord(text: PageText, passkey: FactorSummary["passkey"]): string {
  return text.t(passkey?.kind === "security_key" ? "settings.passkeySecurityKey" : "factor.webauthn");
}

/**
 * A passkey by its name, else by what it is. The name is user text: escaped by JSX, and in a
 * `bdi` so a name written right to left (or in another direction than the page) stays in its box.
 * @example
 * <PasskeyLabel text={text} factor={{ kind: "webauthn", name: "YubiKey 5", passkey: { kind: "security_key", synced: false }, … }} /> // YubiKey 5 (Security key)
 */
export const PasskeyLabel: FC<{ text: PageText; factor: FactorSummary }> = ({ text, factor }) => {
  const kind = kindWord(text, factor.passkey);
  return (
    <>
      {factor.name ? <bdi>{factor.name}</bdi> : null}
      {factor.name ? ` (${kind})` : kind}
    </>
  );
};

/** Whether it is synced, when it was added and when it last answered a challenge (if it has). */
function passkeyFacts(text: PageText, factor: FactorDetail): string {
  const facts = [
    text.t(factor.passkey?.synced ? "settings.passkeySynced" : "settings.passkeyDeviceOnly"),
    text.t("settings.passkeyAdded", { time: text.dateTime(factor.createdAt) }),
  ];
  if (factor.lastUsedAt) facts.push(text.t("settings.passkeyLastUsed", { time: text.dateTime(factor.lastUsedAt) }));
  return facts.join(" · ");
}

export interface PasskeyRowProps {
  text: PageText;
  factor: FactorDetail;
  csrf: string;
  /** The remove button (the same as every factor's), or nothing where the last factor must stay. */
  remove: Child;
  /** This passkey's refused name, shown beside its form (which is then open). */
  refused: RenameRefusal | null;
}

/**
 * The passkey's row of the factor list: its name and facts, its remove button, and its rename form.
 * @example
 * <PasskeyRow text={text} factor={factor} csrf={csrf} remove={<form …>…</form>} refused={null} />
 */
export const PasskeyRow: FC<PasskeyRowProps> = ({ text, factor, csrf, remove, refused }) => {
  const labelId = `factor-${factor.id}`;
  const errorId = `name-error-${factor.id}`;
  return (
    <li>
      <span>
        <span id={labelId}>
          <PasskeyLabel text={text} factor={factor} />
        </span>
        <span class="muted facts">{passkeyFacts(text, factor)}</span>
      </span>
      <span class="actions">{remove}</span>
      <details class="rename" open={refused !== null}>
        <summary aria-describedby={labelId}>{text.t("settings.passkeyRename")}</summary>
        <form method="post" action={`/__stepgate/settings/factors/${factor.id}/rename`}>
          <input type="hidden" name="csrf" value={csrf} />
          <label for={`name-${factor.id}`}>{text.t("settings.passkeyName")}</label>
          <input
            type="text"
            id={`name-${factor.id}`}
            name="name"
            value={refused?.value ?? factor.name ?? ""}
            maxlength={PasskeyName.maxLength ?? undefined}
            required
            autocomplete="off"
            aria-invalid={refused ? "true" : undefined}
            aria-describedby={refused ? errorId : undefined}
          />
          {refused ? (
            <p class="error" role="alert" id={errorId}>
              {refused.message}
            </p>
          ) : null}
          <button type="submit" class="compact">
            {text.t("settings.passkeySaveName")}
          </button>
        </form>
      </details>
    </li>
  );
};
