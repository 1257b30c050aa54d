/**
 * @module
 * `/__stepgate/dev/outbox`, in development only: the texts and emails the `outbox` provider
 * kept, newest first, as a page for a browser and as JSON (`?format=json`, or an `Accept`
 * that prefers `application/json`) for scripts and tests; `?to=` narrows either to a recipient.
 * Elsewhere the path is not stepgate's: it goes on to the gate like any other.
 */
import { Hono, type Context } from "hono";
import { accepts } from "hono/accepts";
import type { AppEnv } from "../app-env";
import { isDevelopment } from "../config/deployment";
import { PolicySchema } from "../config/policy-schema";
import { type KeptMessage, tenantState } from "../state/tenant";
import { DEV_OUTBOX_PATH, DevOutboxPage } from "./dev-outbox-page";
import { requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";

/** The frame of a tenant whose policy cannot be read: its outbox still shows, in stepgate's defaults. */
const DEFAULT_BRANDING = PolicySchema.shape.branding.parse(undefined);

export const devOutbox = new Hono<AppEnv>();

devOutbox.get(DEV_OUTBOX_PATH, async (c, next) => {
  if (!isDevelopment(c.env)) return next();
  const to = (c.req.query("to") ?? "").trim();
  const messages = (await tenantState(c.env, c.var.tenant.tenantId).outbox()).filter((message) => sentTo(message, to));
  if (wantsJson(c)) return c.json({ messages });
  const { tenant } = c.var;
  const policy = tenant.status === "ok" ? tenant.policy : null;
  const text = await requestText(c, policy);
  return renderPage(c, <DevOutboxPage branding={policy?.branding ?? DEFAULT_BRANDING} text={text} messages={messages} to={to} lang={c.req.query("lang")} />);
});

/**
 * Whether `message` went to a recipient `to` names: a part of the address or number, in any
 * case, spaces left out (a `+` typed into the address bar arrives as a space).
 * @example
 * sentTo({ to: "+14155552671", … }, "415 555") // true
 */
export function sentTo(message: Pick<KeptMessage, "to">, to: string): boolean {
  const squeezed = (value: string) => value.replace(/\s+/g, "").toLowerCase();
  return squeezed(message.to).includes(squeezed(to));
}

/** JSON for `?format=json` or an `Accept` preferring it; the page for a browser and for `*\/*`. */
function wantsJson(c: Context): boolean {
  if (c.req.query("format") === "json") return true;
  return accepts(c, { header: "Accept", supports: ["text/html", "application/json"], default: "text/html" }) === "application/json";
}
