/**
 * A console form as a browser would send it: the successful controls of the form posting to
 * `action` in the page (text, hidden and number inputs, the ticked boxes and radio buttons, the
 * chosen options, the textareas), in document order, and edits to them.
 */
import { expect } from "vitest";

export type FormFields = Array<[string, string]>;

const CONTROL = /<input\b([^>]*)>|<select\b([^>]*)>([\s\S]*?)<\/select>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g;
const ATTRIBUTE = /([\w-]+)(?:="([^"]*)")?/g;

export function decoded(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function attributes(source: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [, name, value] of source.matchAll(ATTRIBUTE)) found[name!] = decoded(value ?? "");
  return found;
}

/** The fields the form posting to `action` sends as it stands. */
export function formFields(html: string, action: string): FormFields {
  const start = html.indexOf(`<form method="post" action="${action}"`);
  expect(start, `a form posting to ${action}`).toBeGreaterThanOrEqual(0);
  const form = html.slice(start, html.indexOf("</form>", start));
  const fields: FormFields = [];
  for (const match of form.matchAll(CONTROL)) {
    const [, input, select, options, textarea, content] = match;
    if (input !== undefined) {
      const a = attributes(input);
      if (!a.name || "disabled" in a || a.type === "submit") continue;
      if ((a.type === "checkbox" || a.type === "radio") && !("checked" in a)) continue;
      fields.push([a.name, a.value ?? ""]);
    } else if (select !== undefined) {
      const a = attributes(select);
      const chosen = [...options!.matchAll(/<option\b([^>]*)>/g)].map((o) => attributes(o[1]!)).find((o) => "selected" in o);
      if (a.name && chosen) fields.push([a.name, chosen.value ?? ""]);
    } else {
      const a = attributes(textarea!);
      if (a.name) fields.push([a.name, decoded(content!)]);
    }
  }
  return fields;
}

/**
 * `fields` with each named field's values replaced (`null` removes them): a checkbox ticked is
 * `["0", "1"]` (its hidden "off", then the box), unticked `["0"]`.
 */
export function edited(fields: FormFields, changes: Record<string, string | string[] | null>): FormFields {
  const result = fields.filter(([name]) => !(name in changes));
  for (const [name, value] of Object.entries(changes)) if (value !== null) for (const one of [value].flat()) result.push([name, one]);
  return result;
}

/** The fields as the console helper posts them: each name with its values in order. */
export function asRecord(fields: FormFields): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [name, value] of fields) record[name] = [...(record[name] ?? []), value];
  return record;
}

export const TICKED = ["0", "1"];
export const UNTICKED = ["0"];
