/**
 * @module
 * The user API's request bodies as zod schemas: they validate the requests, type the code and
 * describe the API in OpenAPI (`openapi-document.ts`).
 */
import * as z from "zod";
import { PasskeyName } from "../factors/authenticator-names";
import { AssertionResponseSchema, RegistrationResponseSchema } from "../factors/webauthn";
import { ID_PATTERN } from "../lib/ids";
import { AuditEntry as ActivityEntry, ChallengeView, DeviceView as Device, FactorSummary as Factor } from "../state/user/views";

export { ActivityEntry, Device };

export const Id = (what: string) => z.string().regex(ID_PATTERN, what);
export const ChallengeId = Id("a challenge id");
export const Code = z.string().min(1).max(32);

// The addresses a user enrols are read alike by this API and the hosted pages.
export { EnrollEmailBody, EnrollPhoneBody } from "../flows/enrollment-addresses";
/** The factors a user enrols (backup codes come with the first). */
export const ENROLLABLE_FACTORS = ["totp", "sms", "email"] as const;

export const ConfirmBody = z.strictObject({
  enrollmentId: Id("an enrollment id"),
  code: Code,
  /** The challenge this enrolment answers, when enrolment was forced by a protected request. */
  challengeId: ChallengeId.optional(),
  trustDevice: z.boolean().optional(),
});
export const ResendBody = z.strictObject({ enrollmentId: Id("an enrollment id") });
export const SendBody = z.strictObject({ factor: z.enum(["sms", "email"]) });
export const VerifyBody = z.discriminatedUnion("factor", [
  z.strictObject({
    factor: z.enum(["totp", "backup_code", "sms", "email"]),
    code: Code,
    trustDevice: z.boolean().optional(),
  }),
  z.strictObject({
    factor: z.literal("webauthn"),
    response: AssertionResponseSchema.describe(
      "`credential.toJSON()` of `navigator.credentials.get()` called with the options of `GET /challenges/:id/webauthn`.",
    ),
    trustDevice: z.boolean().optional(),
  }),
]);
export const PasskeyConfirmBody = z.strictObject({
  enrollmentId: Id("an enrollment id"),
  response: RegistrationResponseSchema.describe(
    "`credential.toJSON()` of `navigator.credentials.create()` called with the options of `POST /enroll/webauthn`.",
  ),
  name: PasskeyName.optional().describe("What to call the passkey; unset, its maker's name where its AAGUID is known."),
  /** The challenge this enrolment answers, when enrolment was forced by a protected request. */
  challengeId: ChallengeId.optional(),
  trustDevice: z.boolean().optional(),
});
export const RenameBody = z.strictObject({ name: PasskeyName });

/** Answers of the user API, described in OpenAPI. */
export const TotpEnrollment = z.object({ enrollmentId: z.string(), otpauthUri: z.string(), secret: z.string(), qrSvg: z.string() });
export const SentCode = z.object({ destination: z.string(), expiresAt: z.string(), resendAfter: z.string() });
export const BackupCodes = z.object({ backupCodes: z.array(z.string()) });
export const Confirmed = BackupCodes.extend({ grant: z.string().optional(), expiresAt: z.string().optional() });
/** Options for the browser: pass `publicKey` to `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`. */
const PublicKeyOptions = z.record(z.string(), z.unknown()).describe("WebAuthn options JSON (binary values base64url).");
export const PasskeyEnrollment = z.object({ enrollmentId: z.string(), publicKey: PublicKeyOptions });
export const PasskeyRequest = z.object({ publicKey: PublicKeyOptions });
export const PasskeyConfirmed = Confirmed.extend({ factorId: z.string(), name: z.string().nullable() });
export const Grant = z.object({
  grant: z.string(),
  expiresAt: z.string(),
  operation: z.string(),
  singleUse: z.boolean(),
  held: z.boolean().describe("The request that opened the challenge is kept: POST .../complete sends it."),
});
/** A field the user approves, as sent and as shown: what a portal rendering the challenge itself should show. */
export const ApprovingField = z.object({
  field: z.string().describe("The request field (`amount`, `to.iban` for the pointer `/to/iban`)."),
  value: z.string().describe("The value as sent, every unseen character drawn visibly (`␣`, `␍␊`, `\\u202E`), cut at 120 characters."),
  label: z.string().describe("What the hosted page calls the field: the policy's label in the user's language, else the field's name."),
  formatted: z
    .string()
    .describe(
      "The value as the hosted page and the code's text show it, in the user's language: `1.234,56 €` for a money field; `value` itself when it does not fit its format.",
    ),
});
/** A challenge as the API shows it: {@link ChallengeView} with its expiry as a date, without `returnTo`. */
export const ChallengeDescription = z.object({
  id: ChallengeView.shape.id,
  operation: ChallengeView.shape.operation,
  kind: ChallengeView.shape.kind,
  factors: ChallengeView.shape.factors,
  destinations: z.record(z.string(), z.string()),
  approving: z
    .array(ApprovingField)
    .describe("What the user approves: the request's fields the policy shows, in the language of the user's session (else the portal's default)."),
  held: ChallengeView.shape.held,
  expiresAt: z.string(),
});
export const Me = z.object({
  userId: z.string(),
  enrolled: z.boolean(),
  factors: z.array(Factor),
  devices: z.number(),
  enabled: z.boolean(),
  enforcement: z.string(),
  required: z.boolean(),
  enforcementChangedAt: z.string().nullable(),
});
