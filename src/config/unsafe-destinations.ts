/**
 * @module
 * Where a policy or a webhook may make stepgate connect: never to loopback, private, link-local
 * (cloud metadata) or reserved addresses, or names that only resolve inside a network, and, in
 * production, only over https (except the origin: how the portal is reached is the tenant's
 * call). A policy writer could otherwise point the origin, the JWKS URL or a provider's base URL
 * at something only the worker's network can reach, or have a credential sent in clear; a
 * webhook writer, have the tenant's events posted there. Checked where a policy or webhook is
 * written (a 422 naming the field) and again where a policy is read (and before each delivery),
 * so one put in storage by hand fails closed. A public name whose DNS answers a private address
 * (rebinding) is not caught here: the check sees names, not what they resolve to.
 */
import type { FieldError } from "../lib/json-body";
import { pointerOf, valueAt } from "./policy-fields";
import { type AddressRange, addressRange } from "./address-range";

export interface DestinationRules {
  /** `STEPGATE_ENV=development` (`isDevelopment`): loopback and plain http allowed, for the demo and the tests. */
  development: boolean;
}

/**
 * Every URL in a policy that stepgate (or, for the logo, the user's browser) connects to. A
 * provider's base URL must, outside development, be that provider's own domain: the credential
 * goes with it, and a secret *reference* is only a name a policy writer can always send again, so
 * only pinning the host keeps a `policy:write` key from pointing the tenant's Twilio token or
 * Resend key at its own server. (The SMTP password goes to the SMTP host the tenant chooses; a
 * sealed one is kept from moving by `carriedCredentials`.)
 */
const URL_FIELDS: ReadonlyArray<{ path: string[]; httpAllowed: boolean; providerDomain?: string }> = [
  { path: ["origin"], httpAllowed: true },
  { path: ["identity", "jwksUrl"], httpAllowed: false },
  { path: ["factors", "sms", "twilio", "apiBaseUrl"], httpAllowed: false, providerDomain: "twilio.com" },
  { path: ["factors", "email", "apiBaseUrl"], httpAllowed: false, providerDomain: "resend.com" },
  { path: ["branding", "logoUrl"], httpAllowed: false },
];
const SMTP_HOST = ["factors", "email", "host"];

/**
 * The destinations in `policy` (raw or validated) that stepgate refuses; fields that are not
 * strings or not URLs are left to the schema.
 * @example
 * unsafeDestinations({ origin: "http://169.254.169.254/" }, { development: false })
 * // [{ pointer: "#/origin", detail: "169.254.169.254 is a link-local address; …" }]
 */
export function unsafeDestinations(policy: unknown, rules: DestinationRules): FieldError[] {
  const errors: FieldError[] = [];
  for (const { path, httpAllowed, providerDomain } of URL_FIELDS) {
    const value = valueAt(policy, path);
    if (typeof value !== "string" || !URL.canParse(value)) continue;
    const url = new URL(value);
    const refused = refusedHost(url.hostname, rules);
    if (refused) errors.push({ pointer: pointerOf(path), detail: refused });
    else if (url.protocol === "http:" && !httpAllowed && !rules.development) {
      errors.push({
        pointer: pointerOf(path),
        detail: "use https: over plain http a key set, a credential or the code it carries can be read or changed on the way",
      });
    } else if (providerDomain && !rules.development && url.hostname !== providerDomain && !url.hostname.endsWith(`.${providerDomain}`)) {
      errors.push({ pointer: pointerOf(path), detail: `the provider's credential is sent here: a host under ${providerDomain}` });
    }
  }
  const host = valueAt(policy, SMTP_HOST);
  if (typeof host === "string") {
    const refused = refusedSmtpHost(host, rules);
    if (refused) errors.push({ pointer: pointerOf(SMTP_HOST), detail: refused });
  }
  return errors;
}

/**
 * Why stepgate will not send a tenant's data to a webhook's endpoint, as a page words it in its
 * own language (see {@link endpointRefusal}).
 */
export type EndpointRefusal =
  | { reason: "not_url" }
  | { reason: "not_https" }
  | { reason: "credentials" }
  | { reason: "host"; host: string; range: AddressRange };

/**
 * Why stepgate will not send a tenant's data to `value` (a webhook's endpoint), or `null`: an
 * absolute https URL (plain http in development only) to a public host (loopback too in
 * development), with no credentials in it (the URL is shown to every admin who lists it; a
 * receiver checks the signature instead).
 * @example
 * endpointRefusal("https://169.254.169.254/hook", { development: false }) // { reason: "host", host: "169.254.169.254", range: "link-local" }
 * endpointRefusal("https://hooks.example.com/stepgate", { development: false }) // null
 */
export function endpointRefusal(value: string, rules: DestinationRules): EndpointRefusal | null {
  if (!URL.canParse(value)) return { reason: "not_url" };
  const url = new URL(value);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && rules.development)) return { reason: "not_https" };
  if (url.username || url.password) return { reason: "credentials" };
  const range = refusedRange(url.hostname, rules);
  return range ? { reason: "host", host: url.hostname, range } : null;
}

/**
 * {@link endpointRefusal} in English words (for API clients and logs), or `null`.
 * @example
 * refusedEndpoint("https://169.254.169.254/hook", { development: false }) // "169.254.169.254 is a link-local address; …"
 * refusedEndpoint("https://hooks.example.com/stepgate", { development: false }) // null
 */
export function refusedEndpoint(value: string, rules: DestinationRules): string | null {
  const refusal = endpointRefusal(value, rules);
  if (refusal === null) return null;
  switch (refusal.reason) {
    case "not_url":
      return "an absolute URL";
    case "not_https":
      return "use https: over plain http the events and their signatures can be read or changed on the way";
    case "credentials":
      return "no user name or password in the URL: the receiver checks the signature instead";
    case "host":
      return hostRefusalWords(refusal.host, refusal.range);
  }
}

function refusedRange(hostname: string, rules: DestinationRules): AddressRange | null {
  const range = addressRange(hostname);
  return range === null || (range === "loopback" && rules.development) ? null : range;
}

function refusedHost(hostname: string, rules: DestinationRules): string | null {
  const range = refusedRange(hostname, rules);
  return range && hostRefusalWords(hostname, range);
}

function hostRefusalWords(hostname: string, range: AddressRange): string {
  return `${hostname} is ${range === "internal-name" ? "a name only a local network resolves" : `a ${range} address`}; stepgate connects only to public hosts`;
}

/**
 * The SMTP host is not a URL, and the socket API may read `0x7f.1` or `2130706433` its own way,
 * so only the canonical spelling URL parsing gives is accepted, and that spelling is checked.
 */
function refusedSmtpHost(host: string, rules: DestinationRules): string | null {
  const written = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const canonical = URL.canParse(`http://${written}/`) ? new URL(`http://${written}/`).hostname : null;
  if (canonical === null) return "a host name or IP address";
  const refused = refusedHost(canonical, rules);
  if (refused) return refused;
  return canonical === written.toLowerCase() ? null : `spell the host as ${canonical}, the one way every reader reads it`;
}
