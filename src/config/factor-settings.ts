/**
 * @module
 * The policy's `factors`: the second factors users may enrol, and for each the settings of its
 * codes and (for text messages and email) who delivers them, or (for passkeys) what the
 * browser is asked for and what is accepted.
 */
import * as z from "zod";
import { isRelyingPartyId } from "../lib/relying-party-id";
import { Credential, HttpUrl } from "./policy-values";

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

/** The COSE algorithms stepgate verifies with WebCrypto, by their WebAuthn names. */
export const WEBAUTHN_ALGORITHMS = ["ES256", "EdDSA", "RS256"] as const;

const WebAuthnSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Whether users may enrol passkeys and security keys."),
    rpId: z
      .string()
      .refine(isRelyingPartyId, "a lowercase domain name that is not a public suffix (`acme.com`, not `com` or `co.uk`)")
      .optional()
      .describe(
        "The relying party ID passkeys are made for. Unset: the host the page is served on. A parent domain of every host the tenant serves (`acme.com` for `portal.acme.com` and `app.acme.com`) lets one passkey work on all of them; a public suffix is refused. Changing it orphans the passkeys already enrolled.",
      ),
    userVerification: z
      .enum(["required", "preferred", "discouraged"])
      .default("required")
      .describe(
        "`required`: the authenticator must check a PIN or biometric, or the assertion is refused; `preferred` and `discouraged` accept presence alone.",
      ),
    attestation: z
      .enum(["none"])
      .default("none")
      .describe(
        "Only `none`: stepgate does not check attestation certificates (that needs the FIDO metadata service), so it asks for none; the authenticator's AAGUID names the credential but proves nothing.",
      ),
    authenticatorAttachment: z
      .enum(["any", "platform", "cross-platform"])
      .default("any")
      .describe("`platform`: passkeys built into the device or its password manager; `cross-platform`: security keys and phones; `any`: both."),
    residentKey: z
      .enum(["required", "preferred", "discouraged"])
      .default("preferred")
      .describe("Whether the credential should be discoverable (a passkey the authenticator lists by itself) or may live only as an ID stepgate keeps."),
    algorithms: z
      .array(z.enum(WEBAUTHN_ALGORITHMS))
      .min(1)
      .default([...WEBAUTHN_ALGORITHMS])
      .refine((algorithms) => new Set(algorithms).size === algorithms.length, "each algorithm once")
      .describe("The signature algorithms accepted for new passkeys, most preferred first: `ES256` (P-256), `EdDSA` (Ed25519), `RS256` (RSA PKCS#1 v1.5)."),
  })
  .describe("Passkeys and security keys (WebAuthn); for a request-bound operation the passkey signs the request's digest.");

export const FactorsSchema = z.strictObject({
  totp: TotpSchema.prefault({}).describe("Authenticator apps (TOTP, RFC 6238); always available."),
  sms: SmsSchema.prefault({}),
  email: EmailSchema.prefault({}),
  webauthn: WebAuthnSchema.prefault({}),
  backupCodes: z
    .strictObject({ count: z.int().min(5).max(20).default(10).describe("Backup codes issued with the first factor, each usable once.") })
    .prefault({})
    .describe("Backup codes, shown once."),
});
