/**
 * @module
 * The tenant policy: one zod schema that validates what admins write, types the code and
 * (later) documents the admin API. Every default is the safe one: 2FA is off until a tenant
 * turns it on, and nothing a tenant did not ask for is protected or relaxed.
 */
import * as z from "zod";
import { routeCompiles } from "./route-pattern";

/**
 * `METHOD /path` where METHOD is an HTTP method, several joined by `|`, or `*` for any; the
 * path uses `:param` and `*`. Hono's regex and optional parameters (`{…}`, `?`) are left out:
 * a pattern that cannot compile must never reach the router.
 */
const ROUTE_PATTERN = /^(\*|[A-Z]+(\|[A-Z]+)*) (\/[^\s{}?]*)$/;

/** An http(s) URL; unlike `z.httpUrl()` it accepts IP addresses and `localhost` origins. */
export const HttpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

const RoutePattern = z
  .string()
  .regex(ROUTE_PATTERN, 'a route is "METHOD /path" (METHOD may be *, or several joined by |; no {regex} or ? in the path)')
  .refine(routeCompiles, "this route cannot be compiled");

/**
 * Credentials are never stored in KV in clear; a policy names the Worker secret that holds
 * them. Only names starting with TENANT_ may be referenced, so a policy can never point at
 * stepgate's own keys (admin key, encryption keys).
 */
export const SecretRef = z.string().regex(/^TENANT_[A-Z0-9_]+$/, "a secret reference names a Worker secret starting with TENANT_");

const AUDIENCE = "The JWT's `aud`, checked when set; required with `RS256` / `ES256`, since an identity provider signs tokens for many apps.";

const IdentityClaims = z.strictObject({
  userId: z.string().min(1).default("sub").describe("Claim holding the user's id."),
  sessionId: z
    .string()
    .min(1)
    .default("sid")
    .describe("Claim holding the portal session's id; a token without it is bound to a hash of the token itself, so a new token counts as a new session."),
  email: z.string().min(1).default("email").describe("Claim holding the user's email address (shown in the admin directory)."),
  phone: z.string().min(1).default("phone_number").describe("Claim holding the user's phone number."),
  groups: z.string().min(1).default("groups").describe("Claim holding the user's groups (see `requiredGroups`)."),
});

const IdentityCommon = {
  cookie: z.string().min(1).optional().describe("Cookie holding the portal's session JWT; name the cookie, the header or both."),
  header: z.string().min(1).optional().describe("Header holding the portal's session JWT (a `Bearer ` prefix is accepted)."),
  issuer: z.string().min(1).optional().describe("The JWT's `iss`, checked when set."),
  audience: z.string().min(1).optional().describe(AUDIENCE),
  claims: IdentityClaims.prefault({}).describe("The claim names for the user id, session id, email, phone and groups."),
};

const ALGORITHM = "`HS256` with `secretRef`, or `RS256` / `ES256` with `jwksUrl`.";

const IdentitySchema = z
  .discriminatedUnion("algorithm", [
    z.strictObject({
      algorithm: z.literal("HS256").describe(ALGORITHM),
      secretRef: SecretRef.describe("Name of the Worker secret holding the HS256 key: `TENANT_<TENANT>_JWT_SECRET` (see “Secret names”)."),
      ...IdentityCommon,
    }),
    z.strictObject({
      algorithm: z.enum(["RS256", "ES256"]).describe(ALGORITHM),
      jwksUrl: HttpUrl.describe("The identity provider's JWKS URL, cached per isolate (10 min, fetched again on an unknown `kid`)."),
      ...IdentityCommon,
      // An identity provider signs tokens for many apps; only those for this portal count.
      audience: z.string().min(1).describe(AUDIENCE),
    }),
  ])
  .refine((identity) => identity.cookie || identity.header, {
    message: "name the cookie or the header that carries the portal session JWT",
    path: ["cookie"],
  })
  .describe("How stepgate learns who the user is: the portal's session JWT, where it is carried and how it is verified.");

const TotpSchema = z.strictObject({
  issuer: z.string().min(1).max(64).optional().describe("Name shown in the authenticator app; `branding.name` when unset."),
  digits: z
    .union([z.literal(6), z.literal(8)])
    .default(6)
    .describe("Digits per code (for new enrolments; an enrolled app keeps its settings)."),
  periodSeconds: z.int().min(15).max(120).default(30).describe("Seconds per time step (for new enrolments)."),
  algorithm: z.enum(["SHA1", "SHA256", "SHA512"]).default("SHA1").describe("HMAC algorithm (for new enrolments)."),
  skewSteps: z.int().min(0).max(2).default(1).describe("Time steps accepted either side of now, for clock skew; applies to every enrolled app."),
});

const CodeDeliverySchema = {
  codeLength: z.int().min(6).max(10).default(6).describe("Digits per code (uniformly random)."),
  codeTtlSeconds: z.int().min(60).max(900).default(300).describe("How long a sent code stays valid, in seconds."),
  resendCooldownSeconds: z
    .int()
    .min(10)
    .max(600)
    .default(30)
    .describe("Seconds between two sends to a user on this channel (a new challenge is no way around it)."),
  maxAttemptsPerCode: z.int().min(1).max(10).default(3).describe("Wrong answers after which a sent code is dead (a new one must be sent)."),
};

/**
 * A provider credential. Stored only as a reference to a Worker secret or sealed under
 * stepgate's key; a plain string in an admin `PUT` is sealed before it is written.
 */
export const Credential = z.union([
  z.strictObject({ ref: SecretRef }),
  z.strictObject({ sealed: z.string().regex(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, "a sealed value") }),
  z.string().min(1).max(1024),
]);
export type Credential = z.infer<typeof Credential>;

const OUTBOX = "Who delivers the codes; `outbox` keeps them in the dev outbox and delivers only in development.";

/** The description of a provider credential field, naming the one secret it may reference. */
function credential(purpose: string): string {
  return `A plain string (sealed before it is stored), or \`{ "ref": "TENANT_<TENANT>_${purpose}" }\` naming a Worker secret (see “Secret names”).`;
}

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 phone number like +14155552671");
/** `alerts@portal.example` or `Portal <alerts@portal.example>`. */
const Mailbox = z.string().regex(/^([^<>\r\n]{1,100} )?<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/, "an email address, optionally with a name");

const SmsSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Whether users may enrol a phone and get codes by text message."),
    provider: z.enum(["outbox", "twilio"]).default("outbox").describe(OUTBOX),
    twilio: z
      .strictObject({
        accountSid: z
          .string()
          .regex(/^AC[0-9a-fA-F]{32}$/, "a Twilio account SID (AC…)")
          .describe("The Twilio account SID (`AC…`)."),
        authToken: Credential.describe(credential("TWILIO_TOKEN")),
        from: E164.optional().describe("The sending number (E.164); name `from` or `messagingServiceSid`."),
        messagingServiceSid: z
          .string()
          .regex(/^MG[0-9a-fA-F]{32}$/, "a Twilio messaging service SID (MG…)")
          .optional()
          .describe("A Twilio messaging service (`MG…`) to send from instead of `from`."),
        apiBaseUrl: HttpUrl.default("https://api.twilio.com").describe("Twilio's API; outside development it must be on `twilio.com` (see “Destinations”)."),
      })
      .refine((t) => t.from || t.messagingServiceSid, { message: "name `from` or `messagingServiceSid`", path: ["from"] })
      .optional()
      .describe('Twilio\'s Messages API, for `provider: "twilio"`.'),
    ...CodeDeliverySchema,
  })
  .refine((sms) => sms.provider !== "twilio" || sms.twilio, { message: "the twilio provider needs its settings", path: ["twilio"] })
  .describe("One-time codes by text message.");

/** Email delivery, flat as the SPEC shows it: `{ provider: "smtp", host, port, secure, from, username?, password? }`. */
const EmailSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Whether users may enrol an email address and get codes by email."),
    provider: z.enum(["outbox", "smtp", "resend"]).default("outbox").describe(OUTBOX),
    from: Mailbox.optional().describe("The sender, `alerts@portal.example` or `Portal <alerts@portal.example>`; needed by `smtp` and `resend`."),
    host: z.string().min(1).max(253).optional().describe("SMTP: the server's host name (needed)."),
    port: z.int().min(1).max(65_535).optional().describe("SMTP: the server's port (needed)."),
    secure: z
      .boolean()
      .default(false)
      .describe("SMTP: implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. Prefer it with a password."),
    username: z.string().min(1).max(256).optional().describe("SMTP: the user name to sign in with."),
    password: Credential.optional().describe(credential("SMTP_PASSWORD")),
    apiKey: Credential.optional().describe(`Resend: the API key (needed). ${credential("RESEND_KEY")}`),
    apiBaseUrl: HttpUrl.default("https://api.resend.com").describe("Resend: its API; outside development it must be on `resend.com` (see “Destinations”)."),
    ...CodeDeliverySchema,
  })
  .superRefine((email, ctx) => {
    if (email.provider === "outbox") return;
    if (!email.from) ctx.addIssue({ code: "custom", message: `the ${email.provider} provider needs a from address`, path: ["from"] });
    if (email.provider === "smtp" && !email.host) ctx.addIssue({ code: "custom", message: "SMTP needs a host", path: ["host"] });
    if (email.provider === "smtp" && !email.port) ctx.addIssue({ code: "custom", message: "SMTP needs a port", path: ["port"] });
    if (email.provider === "resend" && !email.apiKey) ctx.addIssue({ code: "custom", message: "Resend needs an apiKey", path: ["apiKey"] });
  })
  .describe('One-time codes by email: `{ provider: "smtp", host, port, secure, from, username?, password? }` or `{ provider: "resend", apiKey, from }`.');

const FactorsSchema = z.strictObject({
  totp: TotpSchema.prefault({}).describe("Authenticator apps (TOTP, RFC 6238); always available."),
  sms: SmsSchema.prefault({}),
  email: EmailSchema.prefault({}),
  backupCodes: z
    .strictObject({ count: z.int().min(5).max(20).default(10).describe("Backup codes issued with the first factor, each usable once.") })
    .prefault({})
    .describe("Backup codes, shown once."),
});

/** Operations bound to the exact request unless the policy says otherwise: money movement and account takeover (PSD2 "dynamic linking"). */
export const BOUND_BY_DEFAULT: ReadonlySet<string> = new Set([
  "deposit",
  "withdraw",
  "transfer",
  "prop_challenge_fee",
  "trading_competition_fee",
  "change_password",
  "update_email",
]);

export const OperationSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("Whether the operation is protected."),
  routes: z
    .array(RoutePattern)
    .max(100)
    .describe("`METHOD /path` patterns the operation claims: `*` for any method, several joined by `|`, Hono path syntax (`:param`, `*`)."),
  exempt: z.array(RoutePattern).max(100).default([]).describe("Routes the operation does not claim even though `routes` match them."),
  formatSuffixes: z
    .boolean()
    .optional()
    .describe("Whether a route ending in a literal segment also claims its `.format` suffixes (`/api/withdraw.json`, as Rails routes it). On when unset."),
  maxAge: z.int().min(0).max(86_400).default(300).describe("How long a verification stays fresh, in seconds; `0` means a proof for every request."),
  bindRequest: z
    .boolean()
    .optional()
    .describe(
      `The grant approves this exact request only (method, path, canonical body), once. When unset: on for ${[...BOUND_BY_DEFAULT].map((name) => `\`${name}\``).join(", ")}, off for the rest.`,
    ),
  display: z
    .array(z.string().min(1).max(200))
    .max(20)
    .default([])
    .describe("Request fields shown while the user approves it: form fields or top-level JSON keys (`amount`), or JSON pointers (`/to/iban`)."),
});

export const OPERATION_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Whether a grant for this operation approves one exact request. */
export function bindsRequest(name: string, operation: Pick<Operation, "bindRequest">): boolean {
  return operation.bindRequest ?? BOUND_BY_DEFAULT.has(name);
}

export const PolicySchema = z.strictObject({
  origin: HttpUrl.describe("The portal's origin, an http(s) URL: where stepgate sends the requests it lets through."),
  originTimeoutMs: z
    .int()
    .min(100)
    .max(120_000)
    .default(30_000)
    .describe("How long to wait for the origin's response headers before answering `504`, in milliseconds."),
  enabled: z.boolean().default(false).describe("2FA on or off for the tenant; off lets everything through."),
  enforcement: z
    .enum(["optional", "required", "per_user"])
    .default("optional")
    .describe("`optional`: enrolled users are challenged; `required`: everyone must enrol; `per_user`: users an admin marked must enrol."),
  requiredGroups: z.array(z.string().min(1)).default([]).describe("JWT groups for whom 2FA is always required."),
  reenrollOnReenable: z.boolean().default(false).describe("Turning 2FA off and on makes every enrolled user enrol again."),
  enrollmentEpoch: z
    .int()
    .min(0)
    .optional()
    .describe("Set by stepgate when 2FA is turned on again with `reenrollOnReenable`: factors enrolled before it no longer count."),
  enforcementChangedAt: z.iso.datetime().optional().describe("Set by stepgate whenever `enabled` or `enforcement` changes."),
  identity: IdentitySchema,
  factors: FactorsSchema.prefault({}).describe("The second factors users may enrol."),
  operations: z
    .record(z.string().regex(OPERATION_NAME, "operation names are lower_snake_case"), OperationSchema)
    .default({})
    .describe(
      "The protected operations by name (`lower_snake_case`): built in are `login`, `deposit`, `withdraw`, `transfer`, `prop_challenge_fee`, `trading_competition_fee`, `change_password` and `update_email`, and tenants may add their own.",
    ),
  lockout: z
    .strictObject({
      maxAttempts: z.int().min(1).max(100).default(5).describe("Wrong answers within `windowSeconds` that lock the user, across factors and challenges."),
      windowSeconds: z.int().min(1).max(86_400).default(900).describe("The window wrong answers are counted in, in seconds."),
      lockSeconds: z.int().min(1).max(86_400).default(900).describe("How long a user stays locked, in seconds (an admin may unlock sooner)."),
      perIpPerHour: z
        .int()
        .min(1)
        .max(100_000)
        .default(100)
        .describe("Wrong answers allowed from one client IP per hour across all the tenant's users, then `429 ip_rate_limited` (credential stuffing)."),
    })
    .prefault({})
    .describe("Failed-attempt lockout per user, and per client IP."),
  sendLimits: z
    .strictObject({
      perUserPerHour: z.int().min(1).max(100).default(5).describe("Codes sent to one user per hour."),
      perIpPerHour: z.int().min(1).max(10_000).default(20).describe("Codes sent per hour at the request of one client IP."),
      perTenantPerHour: z.int().min(1).max(1_000_000).default(1_000).describe("Codes sent per hour for the whole tenant."),
    })
    .prefault({})
    .describe("Code sends allowed per hour, against SMS pumping and mail bombing; past a cap the answer is `429` with `Retry-After`."),
  heldRequests: z
    .strictObject({
      maxBodyBytes: z
        .int()
        .min(0)
        .max(1_048_576)
        .default(65_536)
        .describe("The largest request body kept while its user verifies; larger bodies and multipart uploads are sent again with the grant."),
    })
    .prefault({})
    .describe("The request that triggered a challenge is kept, sealed in the user's Durable Object, and sent once the user has verified."),
  trustedDevices: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Whether users may tick "trust this device".'),
      days: z.int().min(1).max(365).default(30).describe("How long a device stays trusted, in days."),
      max: z.int().min(1).max(50).default(5).describe("Trusted devices per user; the oldest is dropped."),
      operations: z
        .array(z.string().regex(OPERATION_NAME))
        .default(["login"])
        .describe("The operations a trusted device skips; money movement is left out unless named here, and a bound operation is never skipped."),
    })
    .prefault({})
    .describe('"Trust this device": a signed cookie that skips some step-ups.'),
  branding: z
    .strictObject({
      // No control characters: the name goes into email subjects and text messages.
      name: z
        .string()
        .min(1)
        .max(80)
        .regex(/^[^\u0000-\u001f\u007f]+$/, "a name without control characters")
        .default("Your portal")
        .describe("The portal's name on the hosted pages, in messages and in authenticator apps."),
      logoUrl: HttpUrl.optional().describe("A logo shown on the hosted pages."),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, "a colour is #rrggbb")
        .default("#1f6feb")
        .describe("The hosted pages' accent colour, `#rrggbb`."),
      defaultLanguage: z
        .string()
        .regex(/^[a-z]{2}(-[A-Z]{2})?$/)
        .default("en")
        .describe("The language of the hosted pages and messages (English today)."),
    })
    .prefault({})
    .describe("How the hosted pages and messages look."),
});

export type Policy = z.infer<typeof PolicySchema>;

/**
 * The factors a user may enrol under this policy: an authenticator app always, a phone or an
 * email address when the tenant turned them on.
 * @example
 * enrollableFactors(policy) // ["totp", "email"]
 */
export function enrollableFactors(policy: Policy): Array<"totp" | "sms" | "email"> {
  const { sms, email } = policy.factors;
  return ["totp", ...(sms.enabled ? (["sms"] as const) : []), ...(email.enabled ? (["email"] as const) : [])];
}
export type PolicyInput = z.input<typeof PolicySchema>;
export type Operation = z.infer<typeof OperationSchema>;
export type IdentityConfig = Policy["identity"];
export type SmsSettings = Policy["factors"]["sms"];
export type EmailSettings = Policy["factors"]["email"];
