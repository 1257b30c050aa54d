/**
 * @module
 * The console's API keys section, `/__stepgate/admin/keys`: the list, creating a key (its secret
 * shown once, on the answer to the form: nothing keeps it to show again) and revoking one (after
 * a confirmation). Everything needs `keys:write`, as the admin API's `/keys` does, and follows
 * the same rules (`flows/api-keys.ts`); each change is audited with the console admin as actor.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import type * as z from "zod";
import type { ConsoleEnv } from "../app-env";
import { scopesBeyond } from "../config/admins-schema";
import { createKey, KeyRequest, listKeys, revokeKey } from "../flows/api-keys";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { type ConsoleFrame, consoleFrame } from "./console-frame";
import { ConsoleKeyCreatedPage } from "./console-key-created-page";
import { ConsoleKeyRevokePage } from "./console-key-revoke-page";
import { ConsoleKeysPage, EMPTY_KEY_FORM, KEYS_PATH, type KeyForm, KeyId } from "./console-keys-page";
import { renderPage } from "./layout";

const KEY_ID = /^[0-9a-f]{16}$/;

export const consoleKeys = new Hono<ConsoleEnv>();

consoleKeys.use("*", requireConsoleScope("keys:write"));

consoleKeys.get("/", async (c) => {
  const frame = await consoleFrame(c, KEYS_PATH);
  const revoked = c.req.query("revoked");
  const notice = revoked && KEY_ID.test(revoked) ? frame.text.parts("console.keys.revoked", { id: <KeyId text={frame.text} id={revoked} /> }) : null;
  return renderKeys(c, frame, EMPTY_KEY_FORM, notice, 200);
});

consoleKeys.post("/", async (c) => {
  await checkedConsoleForm(c);
  // The form as parsed for the CSRF check, read again for the scopes' checkboxes (a field given many times).
  const submitted = await c.req.formData();
  const name = submitted.get("name");
  const form: KeyForm = { name: typeof name === "string" ? name : "", scopes: submitted.getAll("scopes").map(String), errors: {} };
  const frame = await consoleFrame(c, KEYS_PATH);
  const parsed = KeyRequest.safeParse({ name: form.name, scopes: form.scopes });
  if (!parsed.success) return renderKeys(c, frame, { ...form, errors: refusedFields(frame, form, parsed.error.issues) }, null, 422);
  try {
    const created = await createKey(c.env, c.var.tenant.tenantId, c.var.admin, parsed.data, requestOrigin(c.req.raw));
    return renderPage(c, <ConsoleKeyCreatedPage frame={frame} created={created} />, 200, { "Cache-Control": "no-store" });
  } catch (error) {
    // The flow refused a scope this admin lacks: said beside the scopes, nothing made.
    if (!(error instanceof ProblemError && error.code === "insufficient_scope")) throw error;
    const beyond = <code>{scopesBeyond(c.var.admin.scopes, parsed.data.scopes).join(", ")}</code>;
    return renderKeys(c, frame, { ...form, errors: { scopes: frame.text.parts("console.keys.scopesBeyond", { scopes: beyond }) } }, null, 403);
  }
});

consoleKeys.get("/:id/revoke", async (c) => {
  const key = (await listKeys(c.env, c.var.tenant.tenantId)).find((live) => live.id === c.req.param("id"));
  if (!key) throw new ProblemError(404, "key_not_found", "No live key with this id.");
  const frame = await consoleFrame(c, KEYS_PATH);
  const allowed = scopesBeyond(c.var.admin.scopes, key.scopes).length === 0;
  return renderPage(c, <ConsoleKeyRevokePage frame={frame} apiKey={key} allowed={allowed} />, allowed ? 200 : 403);
});

consoleKeys.post("/:id/revoke", async (c) => {
  await checkedConsoleForm(c);
  const id = c.req.param("id");
  await revokeKey(c.env, c.var.tenant.tenantId, c.var.admin, id, requestOrigin(c.req.raw));
  return c.redirect(`${KEYS_PATH}?revoked=${id}`, 303);
});

/** The list and the create form (as submitted, with its errors, or empty). */
async function renderKeys(c: Context<ConsoleEnv>, frame: ConsoleFrame, form: KeyForm, notice: Child | null, status: 200 | 403 | 422) {
  const keys = await listKeys(c.env, c.var.tenant.tenantId);
  return renderPage(c, <ConsoleKeysPage frame={frame} keys={keys} form={form} notice={notice} />, status);
}

/** Each refused field's message, by what is wrong with it. */
function refusedFields(frame: ConsoleFrame, form: KeyForm, issues: readonly z.core.$ZodIssue[]): KeyForm["errors"] {
  const { text } = frame;
  const fields = new Set(issues.map((issue) => issue.path[0]));
  return {
    name: fields.has("name") ? text.t(form.name.trim() === "" ? "console.keys.nameMissing" : "console.keys.nameInvalid") : undefined,
    scopes: fields.has("scopes") ? text.t(form.scopes.length === 0 ? "console.keys.scopesMissing" : "console.keys.scopesUnknown") : undefined,
  };
}
