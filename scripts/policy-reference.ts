/**
 * @module
 * `npm run docs:policy`: the policy reference in `docs/policy.md` — one row per field with its
 * type, default and description — generated from the policy schema (`z.toJSONSchema` of
 * `PolicySchema`, whose fields carry `.describe()` text), so the docs cannot drift from the code.
 * `test/node/policy-reference.test.ts` fails when the file is not what this would write.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as z from "zod";
import { PolicySchema } from "../src/config/policy-schema";

export const POLICY_DOC = "docs/policy.md";
export const START_MARKER = "<!-- policy-reference:start -->";
export const END_MARKER = "<!-- policy-reference:end -->";

/** The subset of JSON Schema that `z.toJSONSchema` writes for the policy. */
interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

/** Past this, a bound says nothing a reader needs (`z.int()` writes ±2^53 − 1 when unbounded). */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/**
 * The reference table, Markdown, for the policy schema as it is now.
 * @example
 * policyReferenceTable().split("\n")[0] // "| field | type | default | description |"
 */
export function policyReferenceTable(): string {
  // "input": what a policy writer sends, so fields with a default are optional and show it.
  const schema = z.toJSONSchema(PolicySchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const rows = fieldRows(schema, "");
  return [
    "| field | type | default | description |",
    "|---|---|---|---|",
    ...rows.map((row) => `| \`${row.path}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`),
  ].join("\n");
}

/**
 * `markdown` with the generated table between the markers.
 * @example
 * writeFileSync(POLICY_DOC, withPolicyReference(readFileSync(POLICY_DOC, "utf8")));
 */
export function withPolicyReference(markdown: string): string {
  const start = markdown.indexOf(START_MARKER);
  const end = markdown.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`${POLICY_DOC} needs the markers ${START_MARKER} and ${END_MARKER}`);
  const note = "<!-- Generated from src/config/policy-schema.ts by `npm run docs:policy`; edit the schema's .describe() text, not this table. -->";
  return `${markdown.slice(0, start + START_MARKER.length)}\n${note}\n\n${policyReferenceTable()}\n\n${markdown.slice(end)}`;
}

/** Rows for each property of an object schema, depth first, in the schema's order. */
function fieldRows(schema: JsonSchema, prefix: string): Row[] {
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches?.every((branch) => branch.type === "object" && branch.properties)) return unionRows(branches, prefix);
  const rows: Row[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const required = schema.required?.includes(name) ?? false;
    rows.push(rowOf(path, field, required ? "(required)" : ""));
    rows.push(...childRows(field, path));
  }
  return rows;
}

/** Rows below a field: an object's properties, a record's `<name>` entries, or an array's object items (`display[].field`). */
function childRows(field: JsonSchema, path: string): Row[] {
  if (field.properties || field.oneOf) return fieldRows(field, `${path}.`);
  const item = field.items && [field.items, ...(field.items.anyOf ?? [])].find((branch) => branch.properties);
  if (item) return fieldRows(item, `${path}[].`);
  if (typeof field.additionalProperties === "object") {
    const entry = field.additionalProperties;
    return [...fieldRows(entry, `${path}.<name>.`)];
  }
  return [];
}

/**
 * A discriminated union of objects (the identity settings): each property once, saying which
 * branches have it when not all do.
 */
function unionRows(branches: JsonSchema[], prefix: string): Row[] {
  const discriminator = Object.keys(branches[0]!.properties!).find((name) =>
    branches.every((branch) => {
      const field = branch.properties?.[name];
      return field?.const !== undefined || field?.enum !== undefined;
    }),
  );
  const names = [...new Set(branches.flatMap((branch) => Object.keys(branch.properties!)))];
  const rows: Row[] = [];
  for (const name of names) {
    const having = branches.filter((branch) => branch.properties![name]);
    const fields = having.map((branch) => branch.properties![name]!);
    const path = `${prefix}${name}`;
    const merged: JsonSchema = name === discriminator ? { enum: fields.flatMap(valuesOf), description: fields[0]!.description } : fields[0]!;
    const requiredIn = having.filter((branch) => branch.required?.includes(name));
    let required = "";
    if (requiredIn.length === branches.length) required = "(required)";
    else if (requiredIn.length > 0 && discriminator)
      required = `(required with ${requiredIn.map((branch) => literals(branch.properties![discriminator]!)).join(", ")})`;
    const row = rowOf(path, merged, required);
    if (having.length < branches.length && discriminator) {
      row.description = `Only for ${having.map((branch) => literals(branch.properties![discriminator]!)).join(", ")}. ${row.description}`;
    }
    rows.push(row);
    rows.push(...childRows(fields[0]!, path));
  }
  return rows;
}

function rowOf(path: string, field: JsonSchema, required: string): Row {
  return { path, type: typeOf(field), default: required || defaultOf(field), description: field.description ?? "" };
}

/** The type as a reader thinks of it: `integer 100–120000`, `"a" | "b"`, `string[]`, `URL`. */
function typeOf(field: JsonSchema): string {
  const values = valuesOf(field);
  if (values.length > 0) return values.map((value) => `\`${JSON.stringify(value)}\``).join(" \\| ");
  // A discriminated union of objects has its fields listed below it (see unionRows).
  if (field.oneOf?.every((branch) => branch.type === "object")) return "object";
  const branches = field.anyOf ?? field.oneOf;
  // A union's object branches are shown by their keys: a credential is `string | { ref } | { sealed }`.
  if (branches) return branches.map((branch) => (branch.properties ? `{ ${Object.keys(branch.properties).join(", ")} }` : typeOf(branch))).join(" \\| ");
  switch (field.type) {
    case "integer":
    case "number":
      return `${field.type}${range(field.minimum, field.maximum)}`;
    case "string":
      if (field.format === "uri") return "URL";
      if (field.format === "date-time") return "date-time";
      return "string";
    case "array":
      return `${field.items ? (field.items.anyOf ? `(${typeOf(field.items)})` : typeOf(field.items)) : "any"}[]${field.maxItems !== undefined ? ` (at most ${field.maxItems})` : ""}`;
    case "object":
      return "object";
    default:
      return field.type ?? "any";
  }
}

function range(minimum: number | undefined, maximum: number | undefined): string {
  const min = minimum !== undefined && Math.abs(minimum) < UNBOUNDED ? minimum : undefined;
  const max = maximum !== undefined && Math.abs(maximum) < UNBOUNDED ? maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return "";
}

function valuesOf(field: JsonSchema): unknown[] {
  if (field.const !== undefined) return [field.const];
  return field.enum ?? [];
}

function literals(field: JsonSchema): string {
  return valuesOf(field)
    .map((value) => `\`${String(value)}\``)
    .join(" / ");
}

function defaultOf(field: JsonSchema): string {
  if (field.default === undefined) return "";
  // An object's default of {} only means "every field at its default", shown on the fields.
  if (typeof field.default === "object" && field.default !== null && !Array.isArray(field.default) && Object.keys(field.default).length === 0) return "";
  return `\`${JSON.stringify(field.default)}\``;
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const before = readFileSync(POLICY_DOC, "utf8");
  const after = withPolicyReference(before);
  writeFileSync(POLICY_DOC, after);
  console.log(before === after ? `${POLICY_DOC} was already current` : `${POLICY_DOC}: policy reference written`);
}
