/**
 * @module
 * `/webhooks`: where the tenant's events are posted (docs/webhooks.md). Everything needs
 * `webhooks:write`, listing too: a webhook's URL and event types say where the tenant's audit
 * goes, which is that scope's to decide. Every change is audited (`webhook.created`,
 * `webhook.updated`, `webhook.rotated`, `webhook.deleted`), and every ping (`webhook.tested`);
 * the rules are `flows/webhooks.ts`'s.
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { changeWebhook, createWebhook, deleteWebhook, listWebhooks, pingWebhook, readWebhook, rotateWebhookSecret, webhookAttempts } from "../flows/webhooks";
import { PINGS_PER_MINUTE } from "../state/tenant/webhook-pings";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { ChangeWebhookBody, CreatedWebhook, CreateWebhookBody, WebhookAttemptView, WebhookEventId, WebhookId, WebhookView } from "./admin-schemas";
import { answers, jsonBody, paramsOf } from "./route-declarations";

export const adminWebhooks = new Hono<AdminEnv>();

const webhooksWrite = requireScope("webhooks:write");
const WebhookParam = z.object({ id: WebhookId });
/** A secret is in the answer: no cache keeps it. */
const NO_STORE = { "Cache-Control": "no-store" };

adminWebhooks.get(
  "/webhooks",
  webhooksWrite,
  answers("The tenant's webhooks (never their secrets)", [200, "Every webhook, oldest first", z.object({ webhooks: z.array(WebhookView) })]),
  async (c) => c.json({ webhooks: await listWebhooks(c.env, c.var.tenant.tenantId) }),
);

adminWebhooks.post(
  "/webhooks",
  webhooksWrite,
  answers("Make a webhook; its signing secret is shown this once", [201, "The new webhook", CreatedWebhook], { problems: [409, 422] }),
  jsonBody(CreateWebhookBody, { status: 422, maxBytes: 4096 }),
  async (c) => {
    const made = await createWebhook(c.env, c.var.tenant.tenantId, c.req.valid("json"), { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    return c.json(made, 201, { ...NO_STORE, Location: `/__stepgate/admin/v1/webhooks/${made.id}` });
  },
);

adminWebhooks.get(
  "/webhooks/:id",
  webhooksWrite,
  answers("One webhook", [200, "The webhook", WebhookView], { problems: [404] }),
  paramsOf(WebhookParam),
  async (c) => c.json(await readWebhook(c.env, c.var.tenant.tenantId, c.req.valid("param").id)),
);

adminWebhooks.patch(
  "/webhooks/:id",
  webhooksWrite,
  answers("Change a webhook's URL, event types, description or whether it is on", [200, "The webhook", WebhookView], { problems: [404, 422] }),
  paramsOf(WebhookParam),
  jsonBody(ChangeWebhookBody, { status: 422, maxBytes: 4096 }),
  async (c) => {
    const admin = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
    return c.json(await changeWebhook(c.env, c.var.tenant.tenantId, c.req.valid("param").id, c.req.valid("json"), admin));
  },
);

adminWebhooks.delete(
  "/webhooks/:id",
  webhooksWrite,
  answers("Delete a webhook at once", [204, "Deleted"], { problems: [404] }),
  paramsOf(WebhookParam),
  async (c) => {
    await deleteWebhook(c.env, c.var.tenant.tenantId, c.req.valid("param").id, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    return c.body(null, 204);
  },
);

adminWebhooks.post(
  "/webhooks/:id/rotate-secret",
  webhooksWrite,
  answers(
    "A new signing secret, shown this once; the previous one keeps signing beside it for 24 hours",
    [200, "The webhook and its new secret", CreatedWebhook],
    {
      problems: [404],
    },
  ),
  paramsOf(WebhookParam),
  async (c) => {
    const admin = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
    return c.json(await rotateWebhookSecret(c.env, c.var.tenant.tenantId, c.req.valid("param").id, admin), 200, NO_STORE);
  },
);

adminWebhooks.post(
  "/webhooks/:id/test",
  webhooksWrite,
  answers(
    `Send a \`webhook.test\` event to the webhook, signed like any other but tried once (no retry, no dead letter); ${PINGS_PER_MINUTE} a minute per tenant`,
    [202, "Queued", z.object({ eventId: WebhookEventId })],
    { problems: [404, 429] },
  ),
  paramsOf(WebhookParam),
  async (c) => {
    const admin = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
    return c.json(await pingWebhook(c.env, c.var.tenant.tenantId, c.req.valid("param").id, admin), 202);
  },
);

adminWebhooks.get(
  "/webhooks/:id/deliveries",
  webhooksWrite,
  answers("The webhook's last 50 delivery attempts", [200, "Newest first", z.object({ deliveries: z.array(WebhookAttemptView) })], { problems: [404] }),
  paramsOf(WebhookParam),
  async (c) => c.json({ deliveries: await webhookAttempts(c.env, c.var.tenant.tenantId, c.req.valid("param").id) }),
);
