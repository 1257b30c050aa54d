/**
 * @module
 * The console's Webhooks section, `/__stepgate/admin/webhooks`: the list and the form that adds
 * one (its signing secret shown once, on the answer to the form), a webhook's page (its settings,
 * a test event within the tenant's budget a minute, its last deliveries), a new secret (shown
 * once), and deleting one (after a confirmation). Everything needs `webhooks:write`, as the admin
 * API's `/webhooks` does, and goes through the same flows (`flows/webhooks.ts`: the same rules,
 * the same audit with the console's admin as actor). A refused form (or test event) comes back
 * with each refusal beside its field (or button) and nothing written (or sent).
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import type { ConsoleEnv } from "../app-env";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import {
  changeWebhook,
  createWebhook,
  deleteWebhook,
  lastWebhookAttempts,
  listWebhooks,
  pingWebhook,
  readWebhook,
  rotateWebhookSecret,
  type WebhookAdmin,
  webhookAttempts,
} from "../flows/webhooks";
import { ProblemError } from "../lib/problem";
import { PINGS_PER_MINUTE } from "../state/tenant/webhook-pings";
import { MAX_WEBHOOKS_PER_TENANT } from "../state/tenant/webhooks";
import type { WebhookView } from "../state/tenant/views";
import { requestOrigin } from "../state/user/audit";
import { WebhookId } from "../state/webhook-messages";
import { type ConsoleFrame, consoleFrame } from "./console-frame";
import { ConsoleWebhookDeletePage } from "./console-webhooks-delete-page";
import { ConsoleWebhookPage } from "./console-webhooks-detail-page";
import { changeOf, checkWebhookForm, EMPTY_WEBHOOK_FORM, formOf, submittedForm, type WebhookForm } from "./console-webhooks-form";
import { ConsoleWebhooksPage, WEBHOOKS_PATH, webhookHref } from "./console-webhooks-page";
import { ConsoleWebhookSecretPage } from "./console-webhooks-secret-page";
import type { PageKey } from "./i18n/catalogue";
import { renderPage } from "./layout";

/** What a webhook's page says after an action's redirect (`?done=`). */
const NOTICES: Readonly<Record<string, PageKey>> = {
  saved: "console.webhooks.saved",
  unchanged: "console.webhooks.unchanged",
  tested: "console.webhooks.tested",
};
/** A page showing a secret: no cache keeps it. */
const NO_STORE = { "Cache-Control": "no-store" };

export const consoleWebhooks = new Hono<ConsoleEnv>();

consoleWebhooks.use("*", requireConsoleScope("webhooks:write"));

consoleWebhooks.get("/", async (c) => {
  const frame = await consoleFrame(c, WEBHOOKS_PATH);
  const notice = c.req.query("deleted") === undefined ? null : frame.text.t("console.webhooks.deleted");
  return renderList(c, frame, EMPTY_WEBHOOK_FORM, notice, 200);
});

consoleWebhooks.post("/", async (c) => {
  await checkedConsoleForm(c);
  // The form as parsed for the CSRF check, read again for the event types' checkboxes (a field given many times).
  const form = submittedForm(await c.req.formData());
  const frame = await consoleFrame(c, WEBHOOKS_PATH);
  const { request, errors } = checkWebhookForm(c.env, frame.text, form);
  if (!request) return renderList(c, frame, { ...form, errors }, null, 422);
  try {
    const made = await createWebhook(c.env, c.var.tenant.tenantId, request, adminOf(c));
    return renderPage(c, <ConsoleWebhookSecretPage frame={frame} webhook={made} made="created" />, 200, NO_STORE);
  } catch (error) {
    // The tenant has as many as it may (counted where the webhook is stored): said on the form, nothing made.
    if (!(error instanceof ProblemError && error.code === "too_many_webhooks")) throw error;
    const limit = frame.text.t("console.webhooks.tooMany", { max: frame.text.number(MAX_WEBHOOKS_PER_TENANT) });
    return renderList(c, frame, { ...form, errors: { limit } }, null, 409);
  }
});

consoleWebhooks.get("/:id", async (c) => {
  const id = webhookIdOf(c);
  const [frame, webhook] = await Promise.all([consoleFrame(c, WEBHOOKS_PATH), readWebhook(c.env, c.var.tenant.tenantId, id)]);
  const done = NOTICES[c.req.query("done") ?? ""];
  return renderWebhook(c, frame, webhook, formOf(webhook), done ? frame.text.t(done) : null, 200);
});

consoleWebhooks.post("/:id", async (c) => {
  await checkedConsoleForm(c);
  const id = webhookIdOf(c);
  const form = submittedForm(await c.req.formData());
  const [frame, webhook] = await Promise.all([consoleFrame(c, WEBHOOKS_PATH), readWebhook(c.env, c.var.tenant.tenantId, id)]);
  const { request, errors } = checkWebhookForm(c.env, frame.text, form);
  if (!request) return renderWebhook(c, frame, webhook, { ...form, errors }, null, 422);
  // Only what the admin changed is written (and audited): another admin's change to the rest stays.
  const change = changeOf(webhook, request);
  if (!change) return c.redirect(`${webhookHref(id)}?done=unchanged`, 303);
  await changeWebhook(c.env, c.var.tenant.tenantId, id, change, adminOf(c));
  return c.redirect(`${webhookHref(id)}?done=saved`, 303);
});

consoleWebhooks.post("/:id/test", async (c) => {
  await checkedConsoleForm(c);
  const id = webhookIdOf(c);
  try {
    await pingWebhook(c.env, c.var.tenant.tenantId, id, adminOf(c));
  } catch (error) {
    // Past the tenant's pings a minute: said beside the button in the page's language, nothing sent.
    if (!(error instanceof ProblemError && error.code === "ping_limit")) throw error;
    const retryAfterSeconds = Number(error.extras.retryAfterSeconds);
    const [frame, webhook] = await Promise.all([consoleFrame(c, WEBHOOKS_PATH), readWebhook(c.env, c.var.tenant.tenantId, id)]);
    const refusal = frame.text.t("console.webhooks.testTooMany", { max: frame.text.number(PINGS_PER_MINUTE), wait: frame.text.wait(retryAfterSeconds) });
    return renderWebhook(c, frame, webhook, formOf(webhook), null, 429, { testRefusal: refusal, headers: { "Retry-After": String(retryAfterSeconds) } });
  }
  return c.redirect(`${webhookHref(id)}?done=tested`, 303);
});

consoleWebhooks.post("/:id/rotate", async (c) => {
  await checkedConsoleForm(c);
  const rotated = await rotateWebhookSecret(c.env, c.var.tenant.tenantId, webhookIdOf(c), adminOf(c));
  const frame = await consoleFrame(c, WEBHOOKS_PATH);
  return renderPage(c, <ConsoleWebhookSecretPage frame={frame} webhook={rotated} made="rotated" />, 200, NO_STORE);
});

consoleWebhooks.get("/:id/delete", async (c) => {
  const id = webhookIdOf(c);
  const [frame, webhook] = await Promise.all([consoleFrame(c, WEBHOOKS_PATH), readWebhook(c.env, c.var.tenant.tenantId, id)]);
  return renderPage(c, <ConsoleWebhookDeletePage frame={frame} webhook={webhook} />);
});

consoleWebhooks.post("/:id/delete", async (c) => {
  await checkedConsoleForm(c);
  await deleteWebhook(c.env, c.var.tenant.tenantId, webhookIdOf(c), adminOf(c));
  return c.redirect(`${WEBHOOKS_PATH}?deleted`, 303);
});

/** The list and the add form (as submitted, with its errors, or empty). */
async function renderList(c: Context<ConsoleEnv>, frame: ConsoleFrame, form: WebhookForm, notice: Child | null, status: 200 | 409 | 422) {
  const { tenantId } = c.var.tenant;
  const [webhooks, lastAttempts] = await Promise.all([listWebhooks(c.env, tenantId), lastWebhookAttempts(c.env, tenantId)]);
  return renderPage(c, <ConsoleWebhooksPage frame={frame} webhooks={webhooks} lastAttempts={lastAttempts} form={form} notice={notice} />, status);
}

/** A webhook's page, its settings form as stored or as a refused save sent it (or a refused test event, with its answer's headers). */
async function renderWebhook(
  c: Context<ConsoleEnv>,
  frame: ConsoleFrame,
  webhook: WebhookView,
  form: WebhookForm,
  notice: Child | null,
  status: 200 | 422 | 429,
  refused: { testRefusal: string; headers: Record<string, string> } | null = null,
) {
  const attempts = await webhookAttempts(c.env, c.var.tenant.tenantId, webhook.id);
  const page = (
    <ConsoleWebhookPage frame={frame} webhook={webhook} attempts={attempts} form={form} notice={notice} testRefusal={refused?.testRefusal ?? null} />
  );
  return renderPage(c, page, status, refused?.headers);
}

/** The path's webhook id; a 404 for anything that cannot be one, as for one that is not there. */
function webhookIdOf(c: Context<ConsoleEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!WebhookId.safeParse(id).success) throw new ProblemError(404, "webhook_not_found", "No webhook with this id.");
  return id;
}

function adminOf(c: Context<ConsoleEnv>): WebhookAdmin {
  return { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
}
