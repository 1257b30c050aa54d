/**
 * @module
 * The stepgate worker: reserved routes under `/__stepgate/`, everything else through the gate
 * to the tenant's origin. Errors from anywhere become RFC 9457 problems here, in one place.
 * It also consumes the queues: the event stream's (docs/events.md), the webhooks' (docs/webhooks.md)
 * and the alerts to users' (docs/notifications.md).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { adminApi } from "./api/admin-api";
import { ADMIN_BASE, apiDescription, USER_BASE } from "./api/openapi";
import { userApi } from "./api/user-api";
import type { AppEnv } from "./app-env";
import { CONSOLE_BASE } from "./flows/console-access";
import { isDeadLetterQueue, keepDeadLetters } from "./flows/dead-events";
import { consumeEvents, EVENTS_QUEUE } from "./flows/event-stream";
import { consumeAlerts, NOTIFICATIONS_QUEUE } from "./flows/user-alerts";
import { deliverWebhooks, WEBHOOKS_QUEUE } from "./flows/webhook-delivery";
import { ASSURANCE_KEYS_PATH, assuranceKeySet } from "./gate/assurance-key-set";
import { forwardOrStop } from "./gate/gate";
import { requesterOf } from "./gate/challenge-response";
import { resolveTenant } from "./gate/tenant";
import { ownResponseHeaders, withOwnHeaders } from "./lib/own-response-headers";
import { ProblemError } from "./lib/problem";
import { ErrorPage, waysOn } from "./pages/error-page";
import { CLIENT_SCRIPT_PATH, clientScript } from "./pages/client-script";
import { FAVICON_PATH, favicon } from "./pages/favicon";
import { consolePages } from "./pages/console-routes";
import { devOutbox } from "./pages/dev-outbox-routes";
import { hostedPages } from "./pages/hosted-pages";
import { requestText } from "./pages/i18n/language-choice";
import { renderPage } from "./pages/layout";
import { problemDetail, problemTitle } from "./pages/problem-text";
import { settingsPages } from "./pages/settings-routes";
import type { TenantConfig } from "./config/tenant-config";

export const app = new Hono<AppEnv>();

// Only under the reserved prefix: the portal's own answers, proxied on every other path, pass untouched.
app.use("/__stepgate/*", ownResponseHeaders);

app.get("/__stepgate/healthz", (c) => c.json({ status: "ok" }));
// Before the tenant is resolved: the error page of an unknown host links the icon too.
app.get(FAVICON_PATH, favicon);
app.get(CLIENT_SCRIPT_PATH, clientScript);

app.use("*", resolveTenant());

// The public keys of the assurance every forwarded request carries (docs/deploy.md).
app.get(ASSURANCE_KEYS_PATH, assuranceKeySet);

// The API's description is public, like any published API reference; everything else needs a key.
app.route(ADMIN_BASE, apiDescription);
app.route(ADMIN_BASE, adminApi);
// The admin console's pages around the API, after it: see `console-routes.tsx`. Its address
// as typed without the slash goes to its home page (a permanent redirect, the query kept).
app.get(CONSOLE_BASE, (c) => c.redirect(`${CONSOLE_BASE}/${new URL(c.req.url).search}`, 308));
app.route(`${CONSOLE_BASE}/`, consolePages);
app.route(USER_BASE, userApi);
app.route("/__stepgate", hostedPages);
app.route("/__stepgate", settingsPages);

// Development only: the texts and emails the outbox provider kept, as a page and as JSON.
app.route("/", devOutbox);

app.all("*", forwardOrStop);

app.onError(async (error, c) => {
  if (!(error instanceof HTTPException)) {
    console.error("stepgate: unhandled error", error);
    error = new ProblemError(500, "internal_error", "stepgate failed to handle this request.");
  }
  const response = (error as HTTPException).getResponse();
  // Every error is stepgate's own answer, on its routes and on the portal's paths alike.
  if (error instanceof ProblemError && wantsPage(c.req.raw)) {
    // The tenant is unknown when that is the error (`unknown_host`): the page then speaks the visitor's language among all.
    const tenant = c.get("tenant") as TenantConfig | undefined;
    // A tenant whose policy is invalid keeps its branding where that part is valid on its own.
    const branding = tenant?.status === "ok" ? tenant.policy.branding : (tenant?.branding ?? null);
    const text = await requestText(c, branding ? { branding } : null);
    const words = { title: problemTitle(text, error), detail: problemDetail(text, error) };
    const ways = waysOn(c.req.raw, branding, error);
    const page = await renderPage(
      c,
      <ErrorPage branding={branding} text={text} status={error.status} code={error.code} {...words} ways={ways} />,
      error.status,
    );
    for (const [name, value] of response.headers) if (name !== "content-type" && name !== "content-length") page.headers.set(name, value);
    return withOwnHeaders(c, page);
  }
  return withOwnHeaders(c, response);
});

/**
 * Whether an error should be a page: anything a browser loads or submits as a page (it asks
 * for `text/html`). The JSON APIs always get problems.
 */
function wantsPage(request: Request): boolean {
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith("/__stepgate/")) return requesterOf(request) !== "api";
  // The admin API (`/admin/v1/`) answers problems; the console around it is pages.
  const api = pathname.startsWith(`${USER_BASE}/`) || pathname.startsWith(`${ADMIN_BASE}/`);
  return !api && (request.headers.get("Accept") ?? "").includes("text/html");
}

/** The queues this worker consumes (wrangler.jsonc `queues.consumers`), each to its consumer; the three dead-letter queues to one. */
async function queue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === EVENTS_QUEUE) return consumeEvents(batch, env);
  if (batch.queue === WEBHOOKS_QUEUE) return deliverWebhooks(batch, env);
  if (batch.queue === NOTIFICATIONS_QUEUE) return consumeAlerts(batch, env);
  if (isDeadLetterQueue(batch.queue)) return keepDeadLetters(batch, env);
  throw new Error(`stepgate: no consumer for queue ${JSON.stringify(batch.queue)}`);
}

export default {
  fetch: app.fetch,
  queue,
} satisfies ExportedHandler<Env>;
export { AddressLimitState } from "./state/address-limit";
export { TenantState } from "./state/tenant";
export { UserState } from "./state/user";
