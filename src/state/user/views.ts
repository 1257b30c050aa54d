/**
 * @module
 * What the user's object returns and is asked, as types; those the API also describes are zod
 * schemas here (the one source: `api/user-schemas` and `api/admin-schemas` use the same ones).
 */
import * as z from "zod";
import type { Language } from "../../config/languages";
import { ApprovedField } from "../../factors/approved-field";
import type { TotpSettings } from "../../factors/totp";
import type { WebAuthnRefusal } from "../../factors/webauthn";
import type { CredentialDescriptor } from "../../factors/webauthn-options";
import { AuditEntry } from "./audit";
import type { LockoutPolicy } from "./lockout";
import type { CodeKind } from "./sent-codes";

export { AuditEntry };

/** The operation of the challenge an enrolled user answers before adding a factor. */
export const MANAGE_FACTORS = "manage_factors";

/** The factors answered with a code. */
export type AnswerFactor = "totp" | "backup_code" | "sms" | "email";

export const FactorSummary = z.object({
  id: z.string(),
  kind: z.string(),
  /** Where codes go, masked (`+1•••••2671`, `a•••@demo.test`); `null` for an authenticator app. */
  destination: z.string().nullable(),
  /** A passkey's name: its owner's, else its maker's from the AAGUID ("Google Password Manager"); `null` for other factors and unknown makers. */
  name: z.string().nullable(),
  /** For a passkey: what it is (`passkey`, or a `security_key` bound to its device), and whether it is synced to other devices now. */
  passkey: z.object({ kind: z.enum(["passkey", "security_key"]), synced: z.boolean() }).nullable(),
});
export type FactorSummary = z.infer<typeof FactorSummary>;

export interface UserStatus {
  /** Factors the user has confirmed. */
  factors: FactorSummary[];
  /** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
  requiredByAdmin: boolean | null;
}

export { ApprovedField };

export interface ChallengeRequest {
  /** `enroll` when the user must enrol before they can be challenged. */
  kind: "step_up" | "enroll";
  operation: string;
  sessionId: string;
  /** Same-host path to send the browser back to afterwards. */
  returnTo: string | null;
  /** For a request-bound operation: the digest of the request its grant will approve. */
  digest?: string | null;
  /** What the user approves: the request's fields the policy shows. */
  display?: ApprovedField[];
  /** The request itself (`HeldRequest` JSON), kept sealed so it can be completed after verification. */
  held?: string | null;
}

export interface OpenedChallenge {
  id: string;
  expiresAt: number;
}

export const ChallengeView = z.object({
  id: z.string(),
  kind: z.enum(["step_up", "enroll"]),
  operation: z.string(),
  expiresAt: z.number(),
  returnTo: z.string().nullable(),
  /** What the user can answer with now. */
  factors: z.array(z.string()),
  /** Masked destinations of the text and email factors, to say where a code goes. */
  destinations: z.partialRecord(z.enum(["sms", "email"]), z.string()),
  /** What the user approves (fields of the request), empty for an operation that shows none. */
  approving: z.array(ApprovedField),
  /** Whether the request that opened the challenge is kept, to be completed after verifying. */
  held: z.boolean(),
  /** When the user's lockout after wrong codes ends (epoch ms), while it lasts; else `null`. */
  lockedUntil: z.number().nullable(),
  /** Whether the user is locked after repeated lockouts until an admin unlocks (no end time). */
  lockedUntilUnlock: z.boolean(),
});
export type ChallengeView = z.infer<typeof ChallengeView>;

/** What answering a challenge earned: its operation, and what the grant must be bound to. */
export interface CompletedChallenge {
  operation: string;
  returnTo: string | null;
  /** The request the grant approves, for a request-bound operation. */
  digest: string | null;
  /** The id the grant is issued with, so a held request and the grant are spent together. */
  grantId: string;
  held: boolean;
  /** When the answer was accepted: the grant dates from then, so a reset after it still ends the grant. */
  verifiedAt: number;
  /** What the user approved: the request's fields the challenge showed (none for most operations). */
  approving: ApprovedField[];
  /** How the challenge was answered: RFC 8176 `amr` values (`factors/authentication-methods.ts`). */
  amr: string[];
}

export type HeldRequestTaken =
  | { ok: true; request: string; grantId: string; digest: string | null; operation: string; verifiedAt: number; amr: string[] }
  | { ok: false; error: "challenge_not_found" | "not_verified" | "already_completed" };

export interface AnswerSettings {
  totp: TotpSettings;
  lockout: LockoutPolicy;
}

export type Refusal =
  | { ok: false; error: "invalid_code"; attemptsRemaining: number }
  | { ok: false; error: "locked"; retryAfterSeconds: number }
  /** Locked after repeated lockouts until an admin unlocks (`lockout.maxTemporaryLockouts`): no wait ends it. */
  | { ok: false; error: "locked_until_unlock"; lockedSince: number }
  | { ok: false; error: "cooling_down" | "user_send_limit"; retryAfterSeconds: number }
  | {
      ok: false;
      error: "challenge_not_found" | "enrollment_not_found" | "already_enrolled" | "factor_not_enrolled" | "step_up_required" | "last_factor_required";
    };

export type VerifyOutcome = ({ ok: true } & CompletedChallenge) | Refusal;

/** The digits, period and algorithm an authenticator app was given at enrolment. */
export type AppSettings = Pick<TotpSettings, "digits" | "periodSeconds" | "algorithm">;

export const DeviceView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  ip: z.string().nullable(),
  expiresAt: z.string(),
});
export type DeviceView = z.infer<typeof DeviceView>;

export type RemovalOutcome = { ok: true } | Refusal;

/** A user as an admin sees them (`GET /admin/v1/users/:id`). */
export const FactorDetail = FactorSummary.extend({ createdAt: z.string(), lastUsedAt: z.string().nullable() });
export type FactorDetail = z.infer<typeof FactorDetail>;
export const UserDetails = z.object({
  factors: z.array(FactorDetail),
  backupCodesLeft: z.number(),
  devices: z.array(DeviceView),
  lockedUntil: z.string().nullable().describe("When the user's temporary lockout after wrong codes ends, while it lasts; else null."),
  lockedUntilUnlock: z
    .boolean()
    .describe("Locked after `lockout.maxTemporaryLockouts` temporary lockouts, until an admin unlocks (`POST /users/:id/unlock`); `lockedUntil` is null then."),
  requiredByAdmin: z.boolean().nullable(),
});
export type UserDetails = z.infer<typeof UserDetails>;

export type EnrollmentStart = { ok: true; enrollmentId: string; secret: string; settings: AppSettings } | Refusal;

export type CodeEnrollmentStart = { ok: true; enrollmentId: string } | Refusal;

/** Where a sent code belongs: an open challenge, or a pending enrolment. */
export type CodeTarget = { challengeId: string } | { enrollmentId: string };

/**
 * Where a code by text or email for a challenge or an enrolment stands, as its page shows it
 * when opened again: where codes go, whether the one sent still works, and when another may be sent.
 */
export interface SentCodeStatus {
  ok: true;
  /** The enrolment the code confirms (`null` for a challenge's code). */
  enrollmentId: string | null;
  /** Where codes go, masked: `+1•••••••2671`. */
  destination: string;
  /** A code was sent for it and still works (unexpired, with tries left): the page asks for it. */
  sent: boolean;
  /** When the user's limits let another code be sent (epoch ms; now or earlier: at once). */
  resendAfter: number;
}

export type IssuedCode =
  | {
      ok: true;
      code: string;
      kind: CodeKind;
      destination: string;
      expiresAt: number;
      purpose: string;
      sentAt: number;
      resendAfter: number;
      /** The language the user last used a page in (`null` before they used one): what to send the code in when no page asks. */
      language: Language | null;
    }
  | Refusal;

export type ConfirmOutcome =
  | {
      ok: true;
      factorId: string;
      firstFactor: boolean;
      /** Whether the new factor took an enrolled authenticator app's place (which is gone now). */
      replaced: boolean;
      backupCodes: string[];
      challenge: CompletedChallenge | null;
      /** What the new factor proved (RFC 8176 `amr` values): the session's step-up when it was the first. */
      amr: string[];
    }
  | Refusal;

/**
 * A passkey enrolment begun: what the creation options need besides the policy — the
 * registration challenge, the user handle, and the user's credentials to exclude.
 */
export type WebAuthnEnrollmentStart =
  | { ok: true; enrollmentId: string; challenge: Uint8Array; userHandle: Uint8Array; exclude: CredentialDescriptor[] }
  | Refusal;

/** A passkey enrolment confirmed (as any factor's, with the credential's name), or why the browser's response was refused. */
export type WebAuthnConfirmOutcome =
  | (Extract<ConfirmOutcome, { ok: true }> & { name: string | null })
  | Refusal
  | { ok: false; error: "webauthn_refused"; reason: WebAuthnRefusal };

/** What the request options of an assertion for a challenge need: its bound challenge and the user's credentials. */
export type WebAuthnRequest = { ok: true; challenge: Uint8Array; allow: CredentialDescriptor[] } | Refusal;
