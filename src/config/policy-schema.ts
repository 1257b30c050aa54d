/**
 * @module
 * The tenant policy: one zod schema that validates what admins write, types the code and
 * (later) documents the admin API. Every default is the safe one: 2FA is off until a tenant
 * turns it on, and nothing a tenant did not ask for is protected or relaxed.
 */
import * as z from "zod";
import { compileOperations } from "../gate/operation-match";

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
  .refine(compiles, "this route cannot be compiled");

/**
 * Credentials are never stored in KV in clear; a policy names the Worker secret that holds
 * them. Only names starting with TENANT_ may be referenced, so a policy can never point at
 * stepgate's own keys (admin key, encryption keys).
 */
export const SecretRef = z
  .string()
  .regex(/^TENANT_[A-Z0-9_]+$/, "a secret reference names a Worker secret starting with TENANT_");

const IdentityClaims = z.strictObject({
  userId: z.string().min(1).default("sub"),
  sessionId: z.string().min(1).default("sid"),
  email: z.string().min(1).default("email"),
  phone: z.string().min(1).default("phone_number"),
  groups: z.string().min(1).default("groups"),
});

const IdentityCommon = {
  /** Cookie holding the portal's session JWT. */
  cookie: z.string().min(1).optional(),
  /** Header holding the JWT (a `Bearer ` prefix is accepted). */
  header: z.string().min(1).optional(),
  issuer: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  claims: IdentityClaims.prefault({}),
};

const IdentitySchema = z
  .discriminatedUnion("algorithm", [
    z.strictObject({ algorithm: z.literal("HS256"), secretRef: SecretRef, ...IdentityCommon }),
    z.strictObject({
      algorithm: z.enum(["RS256", "ES256"]),
      jwksUrl: HttpUrl,
      ...IdentityCommon,
      // An identity provider signs tokens for many apps; only those for this portal count.
      audience: z.string().min(1),
    }),
  ])
  .refine((identity) => identity.cookie || identity.header, {
    message: "name the cookie or the header that carries the portal session JWT",
    path: ["cookie"],
  });

const TotpSchema = z.strictObject({
  issuer: z.string().min(1).max(64).optional(),
  digits: z.union([z.literal(6), z.literal(8)]).default(6),
  periodSeconds: z.int().min(15).max(120).default(30),
  algorithm: z.enum(["SHA1", "SHA256", "SHA512"]).default("SHA1"),
  skewSteps: z.int().min(0).max(2).default(1),
});

const CodeDeliverySchema = {
  codeLength: z.int().min(6).max(10).default(6),
  codeTtlSeconds: z.int().min(60).max(900).default(300),
  resendCooldownSeconds: z.int().min(10).max(600).default(30),
  /** Wrong answers after which a sent code is dead (a new one must be sent). */
  maxAttemptsPerCode: z.int().min(1).max(10).default(3),
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

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 phone number like +14155552671");
/** `alerts@portal.example` or `Portal <alerts@portal.example>`. */
const Mailbox = z.string().regex(/^([^<>\r\n]{1,100} )?<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/, "an email address, optionally with a name");

const SmsSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** `outbox` keeps messages in the dev outbox; it only delivers in development. */
    provider: z.enum(["outbox", "twilio"]).default("outbox"),
    twilio: z
      .strictObject({
        accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, "a Twilio account SID (AC…)"),
        authToken: Credential,
        from: E164.optional(),
        messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, "a Twilio messaging service SID (MG…)").optional(),
        apiBaseUrl: HttpUrl.default("https://api.twilio.com"),
      })
      .refine((t) => t.from || t.messagingServiceSid, { message: "name `from` or `messagingServiceSid`", path: ["from"] })
      .optional(),
    ...CodeDeliverySchema,
  })
  .refine((sms) => sms.provider !== "twilio" || sms.twilio, { message: "the twilio provider needs its settings", path: ["twilio"] });

/** Email delivery, flat as the SPEC shows it: `{ provider: "smtp", host, port, secure, from, username?, password? }`. */
const EmailSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** `outbox` keeps messages in the dev outbox; it only delivers in development. */
    provider: z.enum(["outbox", "smtp", "resend"]).default("outbox"),
    from: Mailbox.optional(),
    host: z.string().min(1).max(253).optional(),
    port: z.int().min(1).max(65_535).optional(),
    /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().default(false),
    username: z.string().min(1).max(256).optional(),
    password: Credential.optional(),
    /** Resend API key. */
    apiKey: Credential.optional(),
    apiBaseUrl: HttpUrl.default("https://api.resend.com"),
    ...CodeDeliverySchema,
  })
  .superRefine((email, ctx) => {
    if (email.provider === "outbox") return;
    if (!email.from) ctx.addIssue({ code: "custom", message: `the ${email.provider} provider needs a from address`, path: ["from"] });
    if (email.provider === "smtp" && !email.host) ctx.addIssue({ code: "custom", message: "SMTP needs a host", path: ["host"] });
    if (email.provider === "smtp" && !email.port) ctx.addIssue({ code: "custom", message: "SMTP needs a port", path: ["port"] });
    if (email.provider === "resend" && !email.apiKey) ctx.addIssue({ code: "custom", message: "Resend needs an apiKey", path: ["apiKey"] });
  });

const FactorsSchema = z.strictObject({
  totp: TotpSchema.prefault({}),
  sms: SmsSchema.prefault({}),
  email: EmailSchema.prefault({}),
  backupCodes: z.strictObject({ count: z.int().min(5).max(20).default(10) }).prefault({}),
});

export const OperationSchema = z.strictObject({
  enabled: z.boolean().default(true),
  routes: z.array(RoutePattern).max(100),
  /** Routes this operation does not claim even though `routes` match them. */
  exempt: z.array(RoutePattern).max(100).default([]),
  /**
   * Whether a route ending in a literal segment also claims it with any `.<format>` suffix
   * (`POST /api/withdraw` also `/api/withdraw.json`, as Rails routes it). Default: on.
   */
  formatSuffixes: z.boolean().optional(),
  /** Freshness window in seconds; 0 means a proof for every request. */
  maxAge: z.int().min(0).max(86_400).default(300),
  /**
   * Bind the grant to the exact request that was approved (method, path, canonical body):
   * single-use, and refused for any other amount or payee. Default: on for the operations
   * in {@link BOUND_BY_DEFAULT}, off for the rest.
   */
  bindRequest: z.boolean().optional(),
  /**
   * Request fields shown to the user while they approve it, on the challenge page, in the
   * challenge API and in the text or email with the code: form field names or top-level JSON
   * keys (`amount`), or JSON pointers (`/destination/iban`).
   */
  display: z.array(z.string().min(1).max(200)).max(20).default([]),
});

export const OPERATION_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Operations bound to the exact request unless the policy says otherwise: money movement and account takeover (PSD2 "dynamic linking"). */
export const BOUND_BY_DEFAULT: ReadonlySet<string> = new Set([
  "deposit", "withdraw", "transfer", "prop_challenge_fee", "trading_competition_fee", "change_password", "update_email",
]);

/** Whether a grant for this operation approves one exact request. */
export function bindsRequest(name: string, operation: Pick<Operation, "bindRequest">): boolean {
  return operation.bindRequest ?? BOUND_BY_DEFAULT.has(name);
}

export const PolicySchema = z.strictObject({
  origin: HttpUrl,
  /** How long to wait for the origin's response headers before answering 504. */
  originTimeoutMs: z.int().min(100).max(120_000).default(30_000),
  enabled: z.boolean().default(false),
  enforcement: z.enum(["optional", "required", "per_user"]).default("optional"),
  requiredGroups: z.array(z.string().min(1)).default([]),
  reenrollOnReenable: z.boolean().default(false),
  /** Set by stepgate when 2FA is turned on again with `reenrollOnReenable`: factors enrolled before it no longer count. */
  enrollmentEpoch: z.int().min(0).optional(),
  /** Set by stepgate whenever `enabled` or `enforcement` changes. */
  enforcementChangedAt: z.iso.datetime().optional(),
  identity: IdentitySchema,
  factors: FactorsSchema.prefault({}),
  operations: z
    .record(z.string().regex(OPERATION_NAME, "operation names are lower_snake_case"), OperationSchema)
    .default({}),
  lockout: z
    .strictObject({
      maxAttempts: z.int().min(1).max(100).default(5),
      windowSeconds: z.int().min(1).max(86_400).default(900),
      lockSeconds: z.int().min(1).max(86_400).default(900),
      /**
       * Against credential stuffing: wrong answers allowed from one client IP per hour across
       * all of the tenant's users, before that IP's verifications are refused (429).
       */
      perIpPerHour: z.int().min(1).max(100_000).default(100),
    })
    .prefault({}),
  /** Against SMS pumping and mail bombing: code sends allowed per hour. */
  sendLimits: z
    .strictObject({
      perUserPerHour: z.int().min(1).max(100).default(5),
      perIpPerHour: z.int().min(1).max(10_000).default(20),
      perTenantPerHour: z.int().min(1).max(1_000_000).default(1_000),
    })
    .prefault({}),
  /**
   * The request that triggered a challenge is kept (encrypted, in the user's Durable Object)
   * so it can be completed after verification; bodies larger than this, and multipart
   * uploads, are not kept: the client verifies, then sends them again with the grant.
   */
  heldRequests: z.strictObject({ maxBodyBytes: z.int().min(0).max(1_048_576).default(65_536) }).prefault({}),
  trustedDevices: z
    .strictObject({
      enabled: z.boolean().default(false),
      days: z.int().min(1).max(365).default(30),
      max: z.int().min(1).max(50).default(5),
      /** The operations a trusted device skips; money movement is left out unless named here. */
      operations: z.array(z.string().regex(OPERATION_NAME)).default(["login"]),
    })
    .prefault({}),
  branding: z
    .strictObject({
      // No control characters: the name goes into email subjects and text messages.
      name: z
        .string()
        .min(1)
        .max(80)
        .regex(/^[^\u0000-\u001f\u007f]+$/, "a name without control characters")
        .default("Your portal"),
      logoUrl: HttpUrl.optional(),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, "a colour is #rrggbb")
        .default("#1f6feb"),
      defaultLanguage: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default("en"),
    })
    .prefault({}),
});

/** Whether the router accepts `route`; checked here so a stored policy always compiles. */
function compiles(route: string): boolean {
  try {
    // The router builds its matcher lazily, so a probe match is what surfaces a bad pattern.
    compileOperations({ probe: { enabled: true, routes: [route], exempt: [], maxAge: 0, display: [] } }).match("GET", "/");
    return true;
  } catch {
    return false;
  }
}

export type Policy = z.infer<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
export type Operation = z.infer<typeof OperationSchema>;
export type IdentityConfig = Policy["identity"];
export type SmsSettings = Policy["factors"]["sms"];
export type EmailSettings = Policy["factors"]["email"];
