/**
 * @module
 * One Durable Object per (tenant, user): the single place a user's enrolment, challenges,
 * failed attempts and audit trail are written, so that every check on them is serialised and
 * race-free. The class is thin: RPC methods that hand a {@link UserContext} to the plain
 * functions of this folder (one module per table or concern), with the decisions in pure ones
 * (lockout, TOTP matching, backup-code hashing).
 *
 * Concurrency: a Durable Object runs one event at a time, but lets others in while it awaits
 * anything that is not storage (here: WebCrypto). So every method does its checks and writes
 * in synchronous stretches, and the failed-attempt counter is raised *before* the first await.
 */
import { DurableObject } from "cloudflare:workers";
import { isLanguage } from "../../config/languages";
import { PasskeyName } from "../../factors/authenticator-names";
import type { EventMessage } from "../events";
import { migrate } from "../migrate";
import { PublishAlarm, publishDelayMs } from "../publish-alarm";
import { objectIdentity } from "../object-identity";
import { applyEpoch, details, reset, setRequirement, unlock } from "./admin";
import { type AlertClaim, type AlertRequest, type AlertSent, alertDelivered, alertUndelivered, claimAlert } from "./alerts";
import { matchAnswer, type AnswerInput, type Matched } from "./answers";
import { AUDIT_ENTRIES_KEPT, listAudit, recordAudit, SIGN_IN_ACTIVITY_TYPES, type AuditEntry, type RequestOrigin } from "./audit";
import { challengeView, openChallenge } from "./challenges";
import { issueCode, withdrawCode } from "./code-sends";
import { resumableEnrollment, sentCodeStatus } from "./code-status";
import type { UserContext } from "./context";
import { listDevices } from "./devices";
import { beginCodeEnrollment, beginTotpEnrollment, confirmEnrollment, regenerateBackupCodes, removeFactor } from "./enrollment";
import { activeFactors, backupCodesLeft, factorRows } from "./factors";
import { known, nameFromProfile, noteSeen, noteVisit } from "./identity";
import type { CodeKind } from "./sent-codes";
import { grantSpent } from "./sessions";
import { rememberLanguage, rememberTimeZone, requiredByAdmin } from "./settings";
import { USER_MIGRATIONS } from "./schema";
import { markDirectoryChanged, pendingMessages, publishPending } from "./publishing";
import { type OpenTally, tallyLockedRefusal } from "./locked-refusals";
import { grantStillGood, revokeDevice, trustDevice, type TrustedDeviceUse, useTrustedDevice } from "./trust";
import { verify, takeHeldRequest, consumeGrant } from "./verification";
import { answerWithWebAuthn, webAuthnRequest } from "./webauthn-answers";
import { renameCredential } from "./webauthn-credentials";
import { beginWebAuthnEnrollment, confirmWebAuthnEnrollment } from "./webauthn-enrollment";
import type {
  ChallengeRequest,
  ChallengeView,
  CodeEnrollmentStart,
  ConfirmOutcome,
  DeviceView,
  EnrollmentStart,
  HeldRequestTaken,
  IssuedCode,
  OpenedChallenge,
  Refusal,
  RemovalOutcome,
  SentCodeStatus,
  UserDetails,
  UserStatus,
  VerifyOutcome,
  WebAuthnConfirmOutcome,
  WebAuthnEnrollmentStart,
  WebAuthnRequest,
} from "./views";

export type { AlertAddress, AlertChannel, AlertClaim, AlertRequest } from "./alerts";
export { CHALLENGE_TTL_MS } from "./challenges";
export { maskAddress } from "./factors";
export { FRESH_VERIFICATION_MS } from "./sessions";
export type { TrustedDeviceUse } from "./trust";
export type { NewLocationCheck } from "./verification";
export * from "./views";

/**
 * The address of a user's Durable Object.
 * @example
 * const user = userState(env, "acme", "alice"); await user.status();
 */
export function userState(env: Env, tenantId: string, userId: string): DurableObjectStub<UserState> {
  // JSON keeps the two parts apart whatever characters a user id contains.
  return env.USERS.get(env.USERS.idFromName(JSON.stringify([tenantId, userId])));
}

export class UserState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Sealed secrets and code hashes are bound to this object, so they cannot be moved to another user. */
  private readonly owner: string;
  /** Whose object this is: set before any request is let in, or the object refuses them all. */
  private tenantId = "";
  private userId = "";
  /** Publishes audit entries and a changed status to the event stream, later, in one batch. */
  private readonly publishAlarm: PublishAlarm;
  /** This minute's `verify.refused` entry while it is unpublished (see `locked-refusals`). */
  private lockedRefusals: OpenTally | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.owner = ctx.id.toString();
    this.publishAlarm = new PublishAlarm(ctx.storage, publishDelayMs(env));
    void ctx.blockConcurrencyWhile(async () => {
      // `userState` names every object `[tenantId, userId]`; without that name or a stored one this
      // throws, and every request (and the alarm) is refused, with nothing written.
      [this.tenantId, this.userId] = JSON.parse(objectIdentity(this.sql, ctx.id, "UserState", () => nameFromProfile(this.sql))) as [string, string];
      migrate(this.sql, USER_MIGRATIONS);
      // A user enrolled before the directory existed is listed the first time their object wakes.
      if (!known(this.sql) && factorRows(this.sql).length > 0) this.seen(undefined, Date.now());
    });
  }

  /** Publishes what is unpublished to the event stream (the alarm set by {@link record}), retried until the queue takes it. */
  override async alarm(): Promise<void> {
    await this.publishAlarm.ring(() => publishPending(this.publishSource(), this.env.EVENTS, (upToSeq) => this.closeTally(upToSeq)));
  }

  /**
   * The unpublished audit entries and directory row, as the stream's messages, without
   * publishing them (the alarm still does). Admin routes store them in the tenant's object at
   * once, so the admin sees their own change; the stream's copy, with the same ids, is then a
   * no-op there. Their content is final from here on.
   */
  async pendingEvents(): Promise<EventMessage[]> {
    const pending = pendingMessages(this.publishSource(), AUDIT_ENTRIES_KEPT);
    if (!pending) return [];
    this.closeTally(pending.upToSeq);
    return pending.messages;
  }

  private publishSource() {
    return { sql: this.sql, tenantId: this.tenantId, userId: this.userId, objectId: this.ctx.id.toString() };
  }

  /** The open `verify.refused` entry is final once it is handed out for publishing. */
  private closeTally(upToSeq: number): void {
    if (this.lockedRefusals && this.lockedRefusals.seq <= upToSeq) this.lockedRefusals = null;
  }

  /** Counts an answer refused because the user is locked out, for a while or until an admin unlocks (see `locked-refusals`). */
  private countRefusal<T extends { ok: boolean; error?: string }>(outcome: T, origin: RequestOrigin): T {
    if (outcome.ok || (outcome.error !== "locked" && outcome.error !== "locked_until_unlock")) return outcome;
    const now = Date.now();
    const tally = tallyLockedRefusal(this.sql, this.lockedRefusals, now, (detail) => recordAudit(this.sql, now, "verify.refused", origin, detail));
    this.lockedRefusals = tally.open;
    this.publishAlarm.schedule(tally.closesAt);
    return outcome;
  }

  /**
   * Records that the user's status changed (or that they were first seen, or their email
   * changed, or their last visit is a `LAST_SEEN_STEP_MS` old): the directory row is published
   * with the next batch. Never per request or per verification.
   */
  private statusChanged(): void {
    markDirectoryChanged(this.sql);
    this.publishAlarm.schedule();
  }

  /** Notes the user in their profile the first time, and the session's email when it changes. */
  private seen(email: string | null | undefined, now: number): void {
    if (noteSeen(this.sql, { tenantId: this.tenantId, userId: this.userId }, email, now)) this.statusChanged();
  }

  /** Appends to the user's audit trail; the entry is published with the next batch. */
  private record(now: number, type: string, origin: RequestOrigin, detail: Record<string, unknown>): void {
    recordAudit(this.sql, now, type, origin, detail);
    this.publishAlarm.schedule();
  }

  /**
   * What the plain functions of this folder act on: this object's storage, keys and records.
   * Three steps go through the instance, where the fault and race tests replace them.
   */
  private context(): UserContext {
    return {
      env: this.env,
      sql: this.sql,
      owner: this.owner,
      record: (now, type, origin, detail) => this.record(now, type, origin, detail),
      statusChanged: () => this.statusChanged(),
      seen: (email, now) => this.seen(email, now),
      matchAnswer: (input, factorId, now) => this.matchAnswer(input, factorId, now),
      grantSpent: (jti) => this.grantSpent(jti),
      applyEnrollmentEpoch: (epoch) => this.applyEnrollmentEpoch(epoch),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
    };
  }

  private matchAnswer(input: AnswerInput, factorId: string | null, now: number): Promise<Matched> {
    return matchAnswer({ env: this.env, sql: this.sql, owner: this.owner }, input, factorId, now);
  }

  private grantSpent(jti: string): boolean {
    return grantSpent(this.sql, jti);
  }

  /**
   * Enrolment state used by the gate to decide between pass, challenge and enrol. The tenant's
   * re-enrolment epoch, when given, is applied first (see {@link applyEnrollmentEpoch}). Only the
   * user's own requests ask (the gate, their pages, the user API), so each call is a visit: the
   * directory's "last seen" (see `noteVisit`).
   */
  async status(enrollmentEpoch?: number, email?: string | null): Promise<UserStatus> {
    const now = Date.now();
    // Seen (first, or with a new email) and visited move the directory row on once between them.
    const firstOrNewEmail = noteSeen(this.sql, { tenantId: this.tenantId, userId: this.userId }, email, now);
    if (noteVisit(this.sql, now) || firstOrNewEmail) this.statusChanged();
    await this.applyEnrollmentEpoch(enrollmentEpoch);
    return { factors: activeFactors(this.sql), requiredByAdmin: requiredByAdmin(this.sql) };
  }

  /** Opens a challenge for a protected request; expired challenges are swept on the way. */
  async openChallenge(request: ChallengeRequest): Promise<OpenedChallenge> {
    return openChallenge(this.context(), request);
  }

  /** An open challenge of this session, or `null` (unknown, expired, answered, other session alike). */
  async describeChallenge(id: string, sessionId: string): Promise<ChallengeView | null> {
    return challengeView(this.sql, id, sessionId, Date.now());
  }

  /** Starts a TOTP enrolment, or the replacement of the enrolled app (`replaces`). */
  async beginTotpEnrollment(input: Parameters<typeof beginTotpEnrollment>[1]): Promise<EnrollmentStart> {
    return beginTotpEnrollment(this.context(), input);
  }

  /** Starts enrolling a phone number (E.164, already validated) or an email address. */
  async beginCodeEnrollment(kind: CodeKind, address: string, sessionId: string): Promise<CodeEnrollmentStart> {
    return beginCodeEnrollment(this.context(), kind, address, sessionId);
  }

  /** Makes a code for a challenge or a pending enrolment and records the send, within the per-user cooldown and hourly cap. */
  async issueCode(input: Parameters<typeof issueCode>[1]): Promise<IssuedCode> {
    return issueCode(this.context(), input);
  }

  /** Undoes {@link issueCode} when the code could not be delivered: no live code, no send counted. */
  async withdrawCode(purpose: string, sentAt: number, reason: string, origin: RequestOrigin): Promise<void> {
    return withdrawCode(this.context(), purpose, sentAt, reason, origin);
  }

  /** Where a code for a challenge or an enrolment stands: whether it still works, and when another may be sent. */
  async sentCodeStatus(input: Parameters<typeof sentCodeStatus>[1]): Promise<SentCodeStatus | Refusal> {
    return sentCodeStatus(this.context(), input, Date.now());
  }

  /** The pending enrolment by text or email whose code still works, to ask for that code again; else `null`. */
  async resumableEnrollment(input: Parameters<typeof resumableEnrollment>[1]): Promise<SentCodeStatus | null> {
    return resumableEnrollment(this.context(), input, Date.now());
  }

  /** Confirms a pending enrolment (any factor) with its first code. */
  async confirmEnrollment(input: Parameters<typeof confirmEnrollment>[1]): Promise<ConfirmOutcome> {
    return this.countRefusal(await confirmEnrollment(this.context(), input), input.origin);
  }

  /** Answers a challenge with a code; see the module note on why the attempt is counted first. */
  async verify(input: Parameters<typeof verify>[1]): Promise<VerifyOutcome> {
    return this.countRefusal(await verify(this.context(), input), input.origin);
  }

  /** Starts enrolling a passkey: the registration challenge, user handle and credentials to exclude. */
  async beginWebAuthnEnrollment(input: Parameters<typeof beginWebAuthnEnrollment>[1]): Promise<WebAuthnEnrollmentStart> {
    return beginWebAuthnEnrollment(this.context(), input);
  }

  /** Confirms a passkey enrolment with the browser's new credential (its challenge is spent either way). */
  async confirmWebAuthnEnrollment(input: Parameters<typeof confirmWebAuthnEnrollment>[1]): Promise<WebAuthnConfirmOutcome> {
    return this.countRefusal(await confirmWebAuthnEnrollment(this.context(), input), input.origin);
  }

  /** The challenge (bound to the request's digest) and credentials of an assertion for an open challenge. */
  async webAuthnRequest(challengeId: string, sessionId: string): Promise<WebAuthnRequest> {
    return webAuthnRequest(this.sql, challengeId, sessionId, Date.now());
  }

  /** Answers a challenge with a passkey assertion; counted and completed as a code is. */
  async answerWithWebAuthn(input: Parameters<typeof answerWithWebAuthn>[1]): Promise<VerifyOutcome> {
    return this.countRefusal(await answerWithWebAuthn(this.context(), input), input.origin);
  }

  /** Renames a passkey; `false` when the user has none with this id, or the name is not one `PasskeyName` allows. */
  async renamePasskey(factorId: string, name: string, origin: RequestOrigin): Promise<boolean> {
    // Callers check the name; the object stores only a plain-text one, whoever calls it.
    const checked = PasskeyName.safeParse(name);
    const renamed = checked.success && renameCredential(this.sql, factorId, checked.data);
    if (renamed) this.record(Date.now(), "factor.renamed", origin, { factor: "webauthn", factorId, name });
    return renamed;
  }

  /** Takes the request held with a verified challenge, to send it on. */
  async takeHeldRequest(challengeId: string, sessionId: string): Promise<HeldRequestTaken> {
    return takeHeldRequest(this.context(), challengeId, sessionId);
  }

  /** Marks a single-use grant as spent. */
  async consumeGrant(jti: string, expiresAt: number): Promise<boolean> {
    return consumeGrant(this.context(), jti, expiresAt);
  }

  /** Ends a lockout at once, a lock until unlock too (admin action). */
  async unlock(origin: RequestOrigin, actor: string): Promise<{ wasLocked: boolean }> {
    return unlock(this.context(), origin, actor);
  }

  /** An admin's reset. */
  async reset(origin: RequestOrigin, actor: string): Promise<{ factorsRemoved: number } | null> {
    return reset(this.context(), origin, actor);
  }

  /** How many backup codes the user has left. */
  async backupCodesLeft(): Promise<number> {
    return backupCodesLeft(this.sql);
  }

  /** Whether stepgate has seen this user: the console acts on no one it could not show. */
  async isKnown(): Promise<boolean> {
    return known(this.sql);
  }

  /** What an admin sees of the user: factors, backup codes left, devices, lock and requirement. */
  async details(enrollmentEpoch?: number): Promise<UserDetails | null> {
    return details(this.context(), enrollmentEpoch);
  }

  /** Whether a grant issued at `issuedAt` still stands. */
  async grantStillGood(issuedAt: number, deviceId: string | null): Promise<boolean> {
    return grantStillGood(this.context(), issuedAt, deviceId);
  }

  /** Remembers this browser as trusted for `days`. */
  async trustDevice(input: Parameters<typeof trustDevice>[1]): Promise<{ deviceId: string; expiresAt: number } | null> {
    return trustDevice(this.context(), input);
  }

  /** Uses a trusted device for a sign-in: whether it skips the verification (see {@link TrustedDeviceUse}). */
  async useTrustedDevice(deviceId: string, origin: RequestOrigin, use: { operation: string; newLocation: boolean }): Promise<TrustedDeviceUse> {
    return useTrustedDevice(this.context(), deviceId, origin, use);
  }

  /** The devices the user trusts, newest first. */
  async devices(): Promise<DeviceView[]> {
    return listDevices(this.sql, Date.now());
  }

  /** Stops trusting a device; grants it earned end at their next check. */
  async revokeDevice(deviceId: string, origin: RequestOrigin, actor: string): Promise<boolean> {
    return revokeDevice(this.context(), deviceId, origin, actor);
  }

  /** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
  async setRequirement(required: boolean | null, origin: RequestOrigin, actor: string): Promise<void> {
    return setRequirement(this.context(), required, origin, actor);
  }

  /**
   * Removes a factor (self-service), when this session verified for `manage_factors` recently
   * and the user may go without it. Removing ends every grant and device trust of the user.
   */
  async removeFactor(input: Parameters<typeof removeFactor>[1]): Promise<RemovalOutcome> {
    return removeFactor(this.context(), input);
  }

  /** New backup codes (the old ones die), for a session that verified for `manage_factors` recently. */
  async regenerateBackupCodes(input: Parameters<typeof regenerateBackupCodes>[1]): Promise<{ ok: true; backupCodes: string[] } | Refusal> {
    return regenerateBackupCodes(this.context(), input);
  }

  /**
   * Applies the tenant's re-enrolment epoch once: factors enrolled before it are dropped, so
   * a user who had enrolled before 2FA was turned off and on again must enrol again.
   */
  async applyEnrollmentEpoch(epoch: number | undefined): Promise<void> {
    applyEpoch(this.context(), epoch);
  }

  /**
   * Remembers the language the user used a page in (see `rememberLanguage`), and the time zone
   * Cloudflare placed that request in, for what is sent to them from no page; a tag stepgate does
   * not speak, or a zone the runtime does not know, is ignored.
   */
  async rememberLanguage(language: string, timeZone?: string): Promise<void> {
    if (isLanguage(language)) rememberLanguage(this.sql, language);
    if (timeZone !== undefined) rememberTimeZone(this.sql, timeZone);
  }

  /** Claims the security alert of an event (the notifications consumer's first step; see `alerts.ts`). */
  async claimAlert(request: AlertRequest): Promise<AlertClaim> {
    return claimAlert(this.context(), request);
  }

  /** The claimed alert was delivered to every address claimed: remembered as sent, and audited. */
  async alertDelivered(sent: AlertSent): Promise<void> {
    alertDelivered(this.context(), sent);
  }

  /** The claimed alert could not be delivered to every address: the queue's next try claims it again for the others. */
  async alertUndelivered(sent: AlertSent): Promise<void> {
    alertUndelivered(this.context(), sent);
  }

  /** The newest audit entries first. */
  async audit(limit: number, beforeSeq: number | null): Promise<AuditEntry[]> {
    return listAudit(this.sql, limit, beforeSeq);
  }

  /** The user's own recent sign-ins, verifications and changes to what protects the account. */
  async signInActivity(limit: number): Promise<AuditEntry[]> {
    return listAudit(this.sql, limit, null, SIGN_IN_ACTIVITY_TYPES);
  }
}
