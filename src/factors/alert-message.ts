/**
 * @module
 * The security alert to a user, as an email (subject and text) or a text message: what happened,
 * when (in the user's time zone, else UTC, named), from where (the city and country Cloudflare
 * placed the request in), and where to get help if it was not them (the tenant's support page or
 * address). An alert holds no link that signs in and no code: a copy made to phish has nothing to
 * imitate, and the only link is the tenant's own help page. The words are in `message-text.ts`
 * (`alert.*`), which a tenant may reword per language (`branding.text`).
 */
import type { Language } from "../config/languages";
import { formatDateTime, type MessageParams } from "../lib/message-format";
import { ApprovedField } from "./approved-field";
import { describeApproval, messageWords, operationLabel, type TextOverrides } from "./messages";
import type { MessageKey } from "./message-text";

/** Each audit type an alert may be about, and the words that tell it. */
const VARIANTS = {
  "factor.enrolled": "factorAdded",
  "factor.removed": "factorRemoved",
  "factor.replaced": "factorReplaced",
  "backup_codes.issued": "backupCodesRegenerated",
  "backup_code.used": "backupCodesLow",
  "device.trusted": "deviceTrusted",
  "lockout.started": "lockoutStarted",
  "lockout.escalated": "lockoutEscalated",
  "user.reset": "adminReset",
  "signin.new_location": "newLocation",
  "verify.ok": "approval",
} as const;
export type AlertType = keyof typeof VARIANTS;
type Variant = (typeof VARIANTS)[AlertType];

/** The audit types an alert may be about. */
export const ALERT_TYPES: ReadonlySet<string> = new Set(Object.keys(VARIANTS));

/**
 * Whether `type` is one an alert may be about.
 * @example
 * isAlertType("device.trusted") // true
 */
export function isAlertType(type: string): type is AlertType {
  return ALERT_TYPES.has(type);
}

/** What happened, as the event recorded it. */
export interface AlertFacts {
  type: AlertType;
  /** When it happened (ISO 8601). */
  at: string;
  city: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  /** The event's detail: the factor, the codes left, the device, the lock's end, what was approved. */
  detail: Readonly<Record<string, unknown>>;
}

/** Who tells, and how. */
export interface AlertSender {
  /** The tenant's name (`branding.name`). */
  tenant: string;
  /** Where to get help: `branding.supportUrl`, else `branding.supportEmail`; `null`: neither is set. */
  help: string | null;
  /** The user's time zone (IANA), `null` when unknown: the times are then UTC. */
  timeZone: string | null;
}

const FACTOR_WORDS: Readonly<Record<string, MessageKey>> = {
  totp: "alert.factor.totp",
  sms: "alert.factor.sms",
  email: "alert.factor.email",
  webauthn: "alert.factor.webauthn",
};

/** `deviceName`'s "Chrome on Android": the brand names are shown, the placeholders for unknown ones are not. */
const DEVICE_NAME = /^(Edge|Firefox|Chrome|Safari|Browser) on (Android|iOS|Windows|macOS|Linux|an unknown system)$/;

/** What a reader cannot see or what would break a line: a place name is one line of visible text. */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu;

/**
 * The alert of `facts` in `language`, by email or text.
 * @example
 * alertMessage("de", "email", { type: "device.trusted", at, city: "Berlin", country: "DE", detail: {} }, { tenant: "Acme", help: null, timeZone: "Europe/Berlin" })
 * // { subject: "Acme: Gerät als vertrauenswürdig gespeichert", text: "…" }
 */
export function alertMessage(
  language: Language,
  channel: "sms" | "email",
  facts: AlertFacts,
  sender: AlertSender,
  overrides: TextOverrides = {},
): { subject: string | null; text: string } {
  const words = messageWords(language, overrides);
  const variant: Variant = VARIANTS[facts.type];
  const zone = sender.timeZone ?? "UTC";
  const params = { tenant: sender.tenant, ...variantParams(language, variant, facts.detail, zone, overrides) };
  const what = words(`alert.${variant}.what`, params);
  const time = formatDateTime(facts.at, language, zone);
  const place = placeOf(language, facts) ?? words("alert.unknownPlace");
  if (channel === "sms") {
    const help = sender.help ?? words("alert.smsContact", params);
    return { subject: null, text: words("alert.sms", { what, time, zone, place, help }) };
  }
  const device = variant === "deviceTrusted" ? deviceOf(facts.detail.name) : null;
  const text = [
    what,
    ...(device ? [words("alert.device", { device })] : []),
    "",
    words("alert.when", { time, zone }),
    words("alert.where", { place }),
    "",
    words("alert.ifYou"),
    sender.help ? words("alert.notYou", { help: sender.help }) : words("alert.notYouContact", params),
    "",
    words("alert.footer", params),
  ].join("\n");
  // A subject is one header line: no line break may ever reach it (header injection).
  const subject = words("alert.subject", { ...params, title: words(`alert.${variant}.title`, params) }).replace(/[\r\n]+/g, " ");
  return { subject, text };
}

/** The placeholders each variant's words name, from the event's detail. */
function variantParams(language: Language, variant: Variant, detail: Readonly<Record<string, unknown>>, zone: string, overrides: TextOverrides): MessageParams {
  const words = messageWords(language, overrides);
  switch (variant) {
    case "factorAdded":
    case "factorRemoved": {
      const factor = typeof detail.factor === "string" ? detail.factor : "";
      return { factor: FACTOR_WORDS[factor] ? words(FACTOR_WORDS[factor]!) : factor };
    }
    case "backupCodesLow":
      return { count: typeof detail.remaining === "number" ? detail.remaining : 0 };
    case "lockoutStarted":
      return { until: typeof detail.until === "number" ? formatDateTime(new Date(detail.until).toISOString(), language, zone) : "" };
    case "approval": {
      const operation = typeof detail.operation === "string" ? detail.operation : "";
      const approving = ApprovedField.array().safeParse(detail.approving ?? []);
      const approval = { operation, approving: approving.success ? approving.data : [] };
      return { operation: operationLabel(language, operation, overrides), approves: describeApproval(language, approval, overrides) };
    }
    default:
      return {};
  }
}

/** The city and the country by its name in `language` ("Berlin, Deutschland"); `null` when Cloudflare placed the request nowhere. */
function placeOf(language: Language, facts: Pick<AlertFacts, "city" | "country">): string | null {
  const city = facts.city?.replace(UNSEEN, " ").trim() || null;
  const country = facts.country ? (new Intl.DisplayNames(language, { type: "region" }).of(facts.country) ?? facts.country) : null;
  const parts = [city, country].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(", ") : null;
}

/** The browser and system a device was named after ("Chrome, Android"), the unknown ones left out; `null`: neither known. */
function deviceOf(name: unknown): string | null {
  const [, browser, system] = (typeof name === "string" && DEVICE_NAME.exec(name)) || [];
  const known = [browser === "Browser" ? null : browser, system === "an unknown system" ? null : system].filter((part) => part);
  return known.length > 0 ? known.join(", ") : null;
}
