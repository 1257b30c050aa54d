/**
 * @module
 * The console's webhook form (adding one, changing one), as submitted and as shown: the event
 * types the Activity page knows offered as checkboxes (a whole group at once where a `prefix.*`
 * selects exactly it) and a field for any other type or pattern. What the admin chose is checked
 * against the admin API's own rules (`WebhookRequest`, `webhookUrlRefusal`) before anything is
 * written, every refusal at once, each worded beside its field in the page's language.
 */
import type { Child } from "hono/jsx";
import type * as z from "zod";
import type { EndpointRefusal } from "../config/unsafe-destinations";
import { WebhookRequest, webhookUrlRefusal, type WebhookChange } from "../flows/webhooks";
import type { WebhookView } from "../state/tenant/views";
import { EventTypePattern, wantsEventType } from "../state/webhook-messages";
import { AUDIT_TYPE_GROUPS } from "./console-audit-types";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";

/** The pattern that asks for every event, those of later versions too. */
export const EVERY_EVENT = "*";
const MAX_URL_CHARS = 2048;
const MAX_PATTERNS = 20;
/** How the "other types" field separates what the admin typed. */
const SEPARATORS = /[\s,]+/;

/** A group of checkboxes: the Activity page's group, with the pattern that takes it whole when there is one. */
export interface EventChoiceGroup {
  label: PageKey;
  all: string | null;
  types: readonly string[];
}

export const EVENT_CHOICES: readonly EventChoiceGroup[] = AUDIT_TYPE_GROUPS.map((group) => ({
  label: group.label,
  // `backup_code*` selects its group on the Activity page but is no webhook pattern: its types are offered one by one.
  all: group.prefix !== null && EventTypePattern.safeParse(group.prefix).success ? group.prefix : null,
  types: group.types,
}));

const OFFERED: ReadonlySet<string> = new Set([EVERY_EVENT, ...EVENT_CHOICES.flatMap((group) => [...(group.all ? [group.all] : []), ...group.types])]);

/** Each refused field's message; `limit` when the tenant has as many webhooks as it may. */
export interface WebhookFormErrors {
  url?: Child;
  description?: string;
  eventTypes?: Child;
  more?: Child;
  limit?: string;
}

/** The form as the admin filled it in (empty when first shown), with each refused field's message. */
export interface WebhookForm {
  url: string;
  description: string;
  /** The checkboxes ticked. */
  chosen: readonly string[];
  /** The other types and patterns, as typed. */
  more: string;
  enabled: boolean;
  errors: WebhookFormErrors;
}

export const EMPTY_WEBHOOK_FORM: WebhookForm = { url: "", description: "", chosen: [], more: "", enabled: true, errors: {} };

/**
 * A stored webhook's settings as the form shows them: what a checkbox offers ticked, the rest in the field.
 * @example
 * formOf(webhook) // { url, description, chosen: ["verify.*"], more: "fraud.flagged", enabled: true, errors: {} }
 */
export function formOf(webhook: WebhookView): WebhookForm {
  return {
    url: webhook.url,
    description: webhook.description,
    chosen: webhook.eventTypes.filter((pattern) => OFFERED.has(pattern)),
    more: webhook.eventTypes.filter((pattern) => !OFFERED.has(pattern)).join(" "),
    enabled: webhook.enabled,
    errors: {},
  };
}

/** The submitted form (`eventTypes` given once per ticked box; an unticked `enabled` is not sent). */
export function submittedForm(form: FormData): WebhookForm {
  const one = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    url: one("url"),
    description: one("description"),
    chosen: form.getAll("eventTypes").filter((value): value is string => typeof value === "string"),
    more: one("more"),
    enabled: form.get("enabled") !== null,
    errors: {},
  };
}

/**
 * What the admin asked for, as the admin API takes it, or every refusal in words. Nothing is
 * written here: the caller hands `request` to the flow that makes or changes the webhook.
 * @example
 * const { request, errors } = checkWebhookForm(c.env, frame.text, submittedForm(await c.req.formData()));
 */
export function checkWebhookForm(env: Env, text: PageText, form: WebhookForm): { request: WebhookRequest | null; errors: WebhookFormErrors } {
  const typed = form.more.split(SEPARATORS).filter(Boolean);
  const valid = (pattern: string) => EventTypePattern.safeParse(pattern).success;
  const badTyped = typed.filter((pattern) => !valid(pattern));
  // Only a forged form ticks a box the page does not offer; a valid pattern there is taken as typed.
  const badChosen = form.chosen.filter((pattern) => !valid(pattern));
  const patterns = withoutCovered([...form.chosen, ...typed].filter(valid));
  const parsed = WebhookRequest.safeParse({ url: form.url, description: form.description, eventTypes: patterns, enabled: form.enabled });
  const issues = parsed.success ? [] : parsed.error.issues;
  const errors: WebhookFormErrors = {
    url: urlError(env, text, form.url, issues),
    description: issues.some((issue) => issue.path[0] === "description") ? text.t("console.webhooks.descriptionInvalid") : undefined,
    eventTypes: badChosen.length > 0 ? patternsError(text, badChosen) : eventTypesError(text, issues, badTyped.length > 0),
    more: badTyped.length > 0 ? patternsError(text, badTyped) : undefined,
  };
  const refused = Object.values(errors).some((error) => error !== undefined);
  return { request: parsed.success && !refused ? parsed.data : null, errors: refused ? errors : {} };
}

/**
 * The settings of `request` that differ from `webhook`'s, as the flow's change; `null` when none does.
 * @example
 * changeOf(webhook, { ...request, enabled: false }) // { enabled: false }
 */
export function changeOf(webhook: WebhookView, request: WebhookRequest): WebhookChange | null {
  const sameTypes = [...webhook.eventTypes].sort().join(" ") === [...request.eventTypes].sort().join(" ");
  const change: WebhookChange = {
    ...(request.url === webhook.url ? {} : { url: request.url }),
    ...(sameTypes ? {} : { eventTypes: request.eventTypes }),
    ...(request.description === webhook.description ? {} : { description: request.description }),
    ...(request.enabled === webhook.enabled ? {} : { enabled: request.enabled }),
  };
  return Object.keys(change).length > 0 ? change : null;
}

/**
 * The patterns without those another one already covers (`*` covers all; `verify.*` covers
 * `verify.failed`): ticking a whole group and some of its types asks for the group, and the
 * types a webhook may list stay for what is not covered.
 */
function withoutCovered(patterns: readonly string[]): string[] {
  const unique = [...new Set(patterns)];
  // A type is covered when `other` wants it; a prefix (`verify.sub.*`), when `other` wants a type under it.
  const sample = (pattern: string) => (pattern.endsWith("*") ? `${pattern.slice(0, -1)}x` : pattern);
  return unique.filter((pattern) => !unique.some((other) => other !== pattern && other.endsWith("*") && wantsEventType([other], sample(pattern))));
}

function urlError(env: Env, text: PageText, url: string, issues: readonly z.core.$ZodIssue[]): Child | undefined {
  const issue = issues.find((found) => found.path[0] === "url");
  if (issue) {
    if (url.trim() === "") return text.t("console.webhooks.urlMissing");
    // Past the length, the one other rule the admin API's schema has: no spaces or control characters.
    return issue.code === "too_big" ? text.t("console.webhooks.urlTooLong", { max: text.number(MAX_URL_CHARS) }) : text.t("console.webhooks.urlSpaces");
  }
  const refusal = webhookUrlRefusal(env, url.trim());
  return refusal ? refusalWords(text, refusal) : undefined;
}

/** Why stepgate will not post to an address, in the page's language. */
function refusalWords(text: PageText, refusal: EndpointRefusal): Child {
  const https = <code>https://</code>;
  switch (refusal.reason) {
    case "not_url":
      return text.parts("console.webhooks.urlNotUrl", { https });
    case "not_https":
      return text.parts("console.webhooks.urlNotHttps", { https });
    case "credentials":
      return text.t("console.webhooks.urlCredentials");
    case "host":
      return text.parts(refusal.range === "internal-name" ? "console.webhooks.urlInternalName" : "console.webhooks.urlPrivate", {
        host: <code>{refusal.host}</code>,
      });
  }
}

/** None chosen, or more than a webhook may list (patterns refused are said beside the field they were typed in). */
function eventTypesError(text: PageText, issues: readonly z.core.$ZodIssue[], typedRefused: boolean): string | undefined {
  const issue = issues.find((found) => found.path[0] === "eventTypes");
  if (!issue) return undefined;
  if (issue.code === "too_big") return text.t("console.webhooks.eventsTooMany", { max: text.number(MAX_PATTERNS) });
  return typedRefused ? undefined : text.t("console.webhooks.eventsMissing");
}

function patternsError(text: PageText, refused: readonly string[]): Child {
  const codes = refused.map((pattern, index) => (
    <>
      {index > 0 ? ", " : null}
      <code>{pattern}</code>
    </>
  ));
  return text.parts("console.webhooks.patternsInvalid", {
    patterns: <>{codes}</>,
    exact: <code>verify.failed</code>,
    prefix: <code>verify.*</code>,
    every: <code>{EVERY_EVENT}</code>,
  });
}
