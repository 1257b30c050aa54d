/**
 * @module
 * The settings page's recent activity: each entry says what happened in the page's language
 * (the operation confirmed and the factor it was confirmed with, the factor added, removed,
 * replaced or renamed, a passkey refused), where (the city, else the country Cloudflare placed
 * the request in, else its IP address) and when (in the visitor's time zone).
 */
import type { Child, FC } from "hono/jsx";
import type { AuditEntry } from "../state/user/audit";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Ltr } from "./layout";

const EVENTS: Readonly<Record<string, PageKey>> = {
  "verify.ok": "activity.verify.ok",
  "verify.failed": "activity.verify.failed",
  "login.trusted_device": "activity.login.trusted_device",
  "lockout.started": "activity.lockout.started",
  "lockout.escalated": "activity.lockout.escalated",
  "signin.new_location": "activity.signin.new_location",
  "factor.enrolled": "activity.factor.enrolled",
  "factor.removed": "activity.factor.removed",
  "factor.replaced": "activity.factor.replaced",
  "factor.renamed": "activity.factor.renamed",
  "device.trusted": "activity.device.trusted",
  "device.revoked": "activity.device.revoked",
  "user.reset": "activity.user.reset",
};

/** A verification by the factor it was answered with: the sentence names the operation. */
const CONFIRMED_WITH: Readonly<Record<string, PageKey>> = {
  totp: "activity.verified.totp",
  sms: "activity.verified.sms",
  email: "activity.verified.email",
  backup_code: "activity.verified.backup_code",
  webauthn: "activity.verified.webauthn",
};

/** Factors by the name the pages give them. */
export const FACTOR_NAMES: Readonly<Record<string, PageKey>> = {
  totp: "factor.totp",
  sms: "factor.sms",
  email: "factor.email",
  backup_code: "factor.backupCode",
  webauthn: "factor.webauthn",
};

/**
 * What happened, in the page's language: "Withdrawal confirmed with authenticator app", "Factor
 * added (Text message)"; an entry older than its details, or of a factor this version does not
 * name, in the plainer words of its type.
 * @example
 * activityEvent(text, { type: "verify.ok", detail: { operation: "withdraw", factor: "totp" }, … }) // "Withdrawal confirmed with authenticator app"
 */
export function activityEvent(text: PageText, entry: Pick<AuditEntry, "type" | "detail">): string {
  const { operation, factor, reason } = entry.detail;
  const confirmedWith = typeof factor === "string" ? CONFIRMED_WITH[factor] : undefined;
  if (entry.type === "verify.ok" && confirmedWith && typeof operation === "string") {
    return sentenceStart(text, text.t(confirmedWith, { operation: text.operation(operation) }));
  }
  // A refused passkey is no wrong code; a counter gone backwards means a copy of it signed.
  if (entry.type === "verify.failed" && factor === "webauthn") {
    return text.t(reason === "counter_regressed" ? "activity.webauthn.counter_regressed" : "activity.verify.failed.webauthn");
  }
  const event = EVENTS[entry.type] ? text.t(EVENTS[entry.type]!) : entry.type;
  const factorName = typeof factor === "string" ? FACTOR_NAMES[factor] : undefined;
  return factorName ? text.t("activity.withFactor", { event, factor: text.t(factorName) }) : event;
}

/** The operation's name opens most languages' sentences, and it is written in lower case. */
function sentenceStart(text: PageText, sentence: string): string {
  return sentence.charAt(0).toLocaleUpperCase(text.language) + sentence.slice(1);
}

/**
 * Where the request came from: its city, else its country by name in the page's language, else
 * its IP address (kept left to right), else nothing.
 */
function placeOf(text: PageText, entry: AuditEntry): Child | null {
  if (entry.city) return entry.city;
  if (entry.country) return new Intl.DisplayNames(text.language, { type: "region" }).of(entry.country) ?? entry.country;
  if (entry.ip) return <Ltr text={text}>{entry.ip}</Ltr>;
  return null;
}

/**
 * @example
 * <Activity text={text} entries={await user.signInActivity(10)} />
 */
export const Activity: FC<{ text: PageText; entries: AuditEntry[]; describe?: (text: PageText, entry: AuditEntry) => Child }> = ({
  text,
  entries,
  describe = activityEvent,
}) => (
  <ul class="log" id="activity">
    {entries.map((entry) => {
      const place = placeOf(text, entry);
      return (
        <li>
          {describe(text, entry)}
          <span class="muted">
            {place ? <> · {place}</> : null} · <time datetime={entry.at}>{text.dateTime(entry.at)}</time>
          </span>
        </li>
      );
    })}
  </ul>
);
