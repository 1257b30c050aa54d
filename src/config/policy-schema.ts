/**
 * @module
 * The tenant policy: one zod schema that validates what admins write, types the code and
 * (later) documents the admin API. Every default is the safe one: 2FA is off until a tenant
 * turns it on, and nothing a tenant did not ask for is protected or relaxed.
 *
 * Its parts have modules of their own: `identity-schema.ts`, `factor-settings.ts`,
 * `operation-schema.ts` and the shared value shapes in `policy-values.ts`. This one puts them
 * together with the tenant-wide settings (enforcement, lockout, send limits, held requests,
 * trusted devices, the origin's assurance, branding; the alerts to users are `notification-settings.ts`'s), and exports
 * what the rest of the code uses.
 */
import * as z from "zod";
import { AdminsSchema } from "./admins-schema";
import { FactorsSchema } from "./factor-settings";
import { LANGUAGES, supportedLanguageTag } from "./languages";
import { IdentitySchema } from "./identity-schema";
import { NotificationsSchema } from "./notification-settings";
import { ADMIN_CONSOLE, OPERATION_NAME, OperationSchema } from "./operation-schema";
import { HttpsUrl, HttpUrl } from "./policy-values";

export { ADMIN_CONSOLE, BOUND_BY_DEFAULT, bindsRequest, OPERATION_NAME, OperationSchema, type Operation } from "./operation-schema";
export { Credential, HttpUrl, SecretRef } from "./policy-values";

/** A catalogue key: `challenge.title`, `op.withdraw`. */
const TEXT_KEY = /^[a-z][A-Za-z]*(\.[a-z][\w]*)+$/;

/** The most temporary lockouts `lockout.maxTemporaryLockouts` may allow (a user's object keeps no more lock times than this). */
export const MAX_TEMPORARY_LOCKOUTS = 100;

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
    .record(
      z
        .string()
        .regex(OPERATION_NAME, "operation names are lower_snake_case")
        .refine((name) => name !== ADMIN_CONSOLE, `${ADMIN_CONSOLE} is stepgate's own operation (the admin console); set it in \`admins\``),
      OperationSchema,
    )
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
      maxTemporaryLockouts: z
        .int()
        .min(0)
        .max(MAX_TEMPORARY_LOCKOUTS)
        .default(0)
        .describe(
          "Temporary lockouts allowed within `temporaryLockoutPeriodSeconds`; the lock after them lasts until an admin unlocks the user (`POST /admin/v1/users/:id/unlock`, or the console's user page), refused as `423 locked_until_unlock`. 0 (the default): never. The trade-off: whoever holds a user's portal session can lock its owner out this way, so it is off unless the tenant prefers that to letting a guesser go on lock after lock (see docs/security.md).",
        ),
      temporaryLockoutPeriodSeconds: z
        .int()
        .min(60)
        .max(2_592_000)
        .default(86_400)
        .describe(
          "The period temporary lockouts are counted in for `maxTemporaryLockouts`, in seconds (up to 30 days); a right answer does not reset the count, an admin's unlock does.",
        ),
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
  login: z
    .strictObject({
      newLocation: z
        .boolean()
        .default(false)
        .describe(
          "For the `login` operation: a sign-in from a country or network (ASN, from Cloudflare's `request.cf`) the user has not signed in from before is not spared by a trusted device: the user verifies with a factor, and that verification is audited as `signin.new_location` with the country, network and city. A user's first place is not new (there is nothing to compare it with); a request Cloudflare names neither a country nor a network of is. Each user's last 20 places are kept, learned from their sign-ins only (a verification of `login`, a trusted device's sign-in, a first factor enrolled) whether this is on or not, so turning it on compares with where users already signed in. A verification of another operation (a withdrawal) or a later factor added from a new place teaches nothing: a sign-in from there is still new.",
        ),
    })
    .prefault({})
    .describe("How the `login` operation treats a sign-in."),
  trustedDevices: z
    .strictObject({
      enabled: z.boolean().default(false).describe('Whether users may tick "trust this device".'),
      days: z.int().min(1).max(365).default(30).describe("How long a device stays trusted, in days."),
      max: z.int().min(1).max(50).default(5).describe("Trusted devices per user; the oldest is dropped."),
      operations: z
        // The console is never skipped: a device cookie is no second factor of the admin's.
        .array(
          z
            .string()
            .regex(OPERATION_NAME)
            .refine((name) => name !== ADMIN_CONSOLE, "the admin console is never skipped"),
        )
        .default(["login"])
        .describe("The operations a trusted device skips; money movement is left out unless named here, and a bound operation is never skipped."),
    })
    .prefault({})
    .describe('"Trust this device": a signed cookie that skips some step-ups.'),
  notifications: NotificationsSchema,
  assurance: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          "Whether every request sent to the origin carries `StepGate-Assurance`: a JWT (ES256, 60 s) signed with the tenant's key (public at `/__stepgate/.well-known/jwks.json`) saying who, which operation, how and when the user stepped up and, for a request-bound operation, the request's digest (docs/deploy.md). Off, none is sent; a client's own header of that name is removed either way.",
        ),
    })
    .prefault({})
    .describe("What the origin is told of each request it receives through stepgate."),
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
      portalUrl: HttpsUrl.optional().describe(
        'The portal\'s home page, linked from stepgate\'s error pages ("go to the portal", "sign in"); the root of the portal\'s own host (`/`) when unset.',
      ),
      supportUrl: HttpsUrl.optional().describe(
        "An https page where users get help (a support or contact page), offered when they are locked out after wrong codes. Preferred over `supportEmail` when both are set.",
      ),
      supportEmail: z.email().max(254).optional().describe("An address users can write to for help, offered when they are locked out after wrong codes."),
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, "a colour is #rrggbb")
        .default("#1f6feb")
        .describe(
          "The hosted pages' accent colour, `#rrggbb`: filled buttons in it as it is; links and focus rings in it where it reads well enough (WCAG AA), else in a lighter or darker variant of it.",
        ),
      mode: z
        .enum(["light", "dark", "auto"])
        .default("auto")
        .describe(
          "Light or dark hosted pages, or `auto`: as the visitor's device is set (`prefers-color-scheme`). `auto` by default because the visitor already chose how their screen looks, and a glaring white page in the middle of a dark portal, or a dark room, is the wrong welcome; `light` or `dark` fix one scheme for every visitor, to match a portal that has only one.",
        ),
      languages: z
        .array(z.preprocess(supportedLanguageTag, z.enum(LANGUAGES)))
        .min(1)
        .refine((languages) => new Set(languages).size === languages.length, "each language once")
        .default([...LANGUAGES])
        .describe(
          "The languages the hosted pages and messages may be in, offered in the language menu and matched against the browser's `Accept-Language`; all of them unless listed.",
        ),
      defaultLanguage: z
        .preprocess(supportedLanguageTag, z.enum(LANGUAGES))
        .default("en")
        .describe(
          "The language when nothing else chooses one: no choice in the language menu, no `identity.claims.locale` claim, nothing in `Accept-Language` among `languages`. One of `languages`; a regional tag is read as the language we have for it (`en-GB` → `en`, `pt-PT` → `pt-BR`).",
        ),
      text: z
        .partialRecord(z.enum(LANGUAGES), z.record(z.string().regex(TEXT_KEY, "a catalogue key"), z.string().min(1).max(1000)))
        .default({})
        .describe(
          'The tenant\'s own wording of any text, per language and catalogue key: `{ "de": { "challenge.title": "{operation} freigeben" } }`. The keys are those of the English catalogues (`src/pages/i18n/en.ts`, `src/factors/message-text.ts`), and `op.<operation>` names an operation; each keeps the `{placeholders}` of the text it replaces.',
        ),
    })
    .refine((branding) => branding.languages.includes(branding.defaultLanguage), {
      message: "the default language must be one of `languages`",
      path: ["defaultLanguage"],
    })
    .prefault({})
    .describe("How the hosted pages and messages look."),
  admins: AdminsSchema,
});

export type Policy = z.infer<typeof PolicySchema>;

/**
 * The factors a user may enrol under this policy: an authenticator app always; a passkey, a
 * phone or an email address when the tenant turned them on. A passkey comes first: it is the one
 * a fake page cannot relay.
 * @example
 * enrollableFactors(policy) // ["totp", "email"]
 */
export function enrollableFactors(policy: Policy): Array<"totp" | "sms" | "email" | "webauthn"> {
  const { sms, email, webauthn } = policy.factors;
  return [
    ...(webauthn.enabled ? (["webauthn"] as const) : []),
    "totp",
    ...(sms.enabled ? (["sms"] as const) : []),
    ...(email.enabled ? (["email"] as const) : []),
  ];
}
/**
 * How long a verification of `operation` stays fresh, in seconds (0: one request): the
 * operation's `maxAge`, the console's `admins.maxAgeSeconds`; 0 for an operation the policy no
 * longer has (the strictest grant).
 * @example
 * freshnessSeconds(policy, "change_password") // 300
 */
export function freshnessSeconds(policy: Pick<Policy, "operations" | "admins">, operation: string): number {
  if (operation === ADMIN_CONSOLE) return policy.admins.maxAgeSeconds;
  return Object.hasOwn(policy.operations, operation) ? policy.operations[operation]!.maxAge : 0;
}

/**
 * The `acr` label the policy gives `operation`, if any (none for stepgate's own operations).
 * @example
 * operationAcr(policy, "withdraw") // "urn:acme:payments"
 */
export function operationAcr(policy: Pick<Policy, "operations">, operation: string): string | undefined {
  return Object.hasOwn(policy.operations, operation) ? policy.operations[operation]!.acr : undefined;
}

export type PolicyInput = z.input<typeof PolicySchema>;
export type IdentityConfig = Policy["identity"];
export type SmsSettings = Policy["factors"]["sms"];
export type EmailSettings = Policy["factors"]["email"];
export type WebAuthnSettings = Policy["factors"]["webauthn"];
