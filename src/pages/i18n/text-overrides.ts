/**
 * @module
 * Checking a tenant's own wording (`branding.text`) against the catalogues it replaces: each key
 * must be one of English's (pages, code messages, or `op.<operation>` for an operation the
 * policy has), with the same `{placeholders}`. What the schema checks (the languages, the shape)
 * is left to it. The admin API refuses a policy with these errors (422); a page shown with a
 * policy written to KV by hand uses a mismatched wording nowhere (`overridden`).
 */
import type { FieldError } from "../../lib/json-body";
import { isLanguage } from "../../config/languages";
import { pointerOf, valueAt } from "../../config/policy-fields";
import { en as MESSAGE_TEXT_EN } from "../../factors/message-text";
import { type Message, placeholdersOf } from "../../lib/message-format";
import { ENGLISH_PAGE_TEXT } from "./catalogue";

const SOURCES: ReadonlyArray<Readonly<Record<string, Message>>> = [ENGLISH_PAGE_TEXT, MESSAGE_TEXT_EN];

/** The English text `key` replaces: a catalogue entry, `""` for an operation's name, `undefined` for no key at all. */
function sourceOf(key: string, operations: unknown): Message | undefined {
  for (const source of SOURCES) if (Object.hasOwn(source, key)) return source[key];
  const operation = /^op\.(\w+)$/.exec(key)?.[1];
  return operation && typeof operations === "object" && operations !== null && Object.hasOwn(operations, operation) ? "" : undefined;
}

/**
 * One error per wording that names no catalogue key or changes the placeholders.
 * @example
 * textOverrideErrors({ branding: { text: { de: { "challenge.title": "Bestätigen" } } } })
 * // [{ pointer: "#/branding/text/de/challenge.title", detail: "keeps the placeholders of the text it replaces: missing {operation}" }]
 */
export function textOverrideErrors(candidate: unknown): FieldError[] {
  const text = valueAt(candidate, ["branding", "text"]);
  if (typeof text !== "object" || text === null) return [];
  const operations = valueAt(candidate, ["operations"]);
  const errors: FieldError[] = [];
  for (const [language, entries] of Object.entries(text)) {
    if (!isLanguage(language) || typeof entries !== "object" || entries === null) continue;
    for (const [key, wording] of Object.entries(entries)) {
      if (typeof wording !== "string") continue;
      const pointer = pointerOf(["branding", "text", language, key]);
      const source = sourceOf(key, operations);
      if (source === undefined) {
        errors.push({ pointer, detail: "is not a key of the catalogues (nor op.<name> of an operation of this policy)" });
        continue;
      }
      const [wanted, given] = [placeholdersOf(source), placeholdersOf(wording)];
      const missing = wanted.filter((name) => !given.includes(name));
      const added = given.filter((name) => !wanted.includes(name));
      if (missing.length + added.length === 0) continue;
      const parts = [missing.length > 0 ? `missing {${missing.join("}, {")}}` : "", added.length > 0 ? `not known here {${added.join("}, {")}}` : ""];
      errors.push({ pointer, detail: `keeps the placeholders of the text it replaces: ${parts.filter(Boolean).join("; ")}` });
    }
  }
  return errors;
}
