/**
 * @module
 * One Durable Object per (tenant, user): the single place a user's enrolment, challenges,
 * failed attempts and audit trail are written, so that every check on them is serialised and
 * race-free. The class is thin: RPC methods over its SQLite storage, with the decisions in
 * plain functions (lockout, TOTP matching, backup-code hashing).
 *
 * Concurrency: a Durable Object runs one event at a time, but lets others in while it awaits
 * anything that is not storage (here: WebCrypto). So every method does its checks and writes
 * in synchronous stretches, and the failed-attempt counter is raised *before* the first await.
 */
import { DurableObject } from "cloudflare:workers";
import { newBackupCodes, normalizeBackupCode } from "../../factors/backup-codes";
import type { CodeSettings } from "../../factors/code-settings";
import { newNumericCode } from "../../factors/one-time-code";
import { newTotpSecret, type TotpSettings } from "../../factors/totp";
import { countedStub } from "../../lib/call-counts";
import { randomId } from "../../lib/ids";
import { iso } from "../../lib/iso-time";
import { keyedHash } from "../../lib/keyed-hash";
import { seal, unseal } from "../../lib/sealed";
import { migrate } from "../migrate";
import { objectIdentity } from "../object-identity";
import { matchAnswer, matchSentCode, matchTotp, sentCodePurposeOf, spendCode, type Keys, type Matched } from "./answers";
import { clearFailures, countAttempt, loadLockout, saveLockout } from "./attempts";
import { listAudit, recordAudit, SIGN_IN_ACTIVITY_TYPES, type AuditEntry, type RequestOrigin } from "./audit";
import { challengeView, CHALLENGE_TTL_MS, completeChallenge, insertChallenge, openChallengeRow } from "./challenges";
import { addDevice, listDevices, removeDevice, touchDevice, trustedDevice } from "./devices";
import { activeFactors, backupCodesLeft, dropStalePending, ENROLMENT_TTL_MS, factorDetails, factorRows, maskAddress, replaceBackupCodes, type FactorRow } from "./factors";
import { directoryRow, known, nameFromProfile, noteSeen } from "./identity";
import { attemptsRemaining, lockRemainingMs, NO_FAILURES, type LockoutPolicy } from "./lockout";
import { releaseSend, reserveSend, storeCode, takeCodeTry, type CodeKind } from "./sent-codes";
import { grantSpent, isFresh, markFresh, revokeEverything } from "./sessions";
import { requiredByAdmin, setSetting, setting } from "./settings";
import { USER_MIGRATIONS } from "./schema";
import { syncToTenant } from "./sync";
import type { AnswerFactor, AnswerSettings, AppSettings, ChallengeRequest, ChallengeView, CodeEnrolmentStart, CodeTarget, ConfirmOutcome, DeviceView, EnrolmentStart, HeldRequestTaken, IssuedCode, OpenedChallenge, Refusal, RemovalOutcome, UserDetails, UserStatus, VerifyOutcome } from "./views";

export { CHALLENGE_TTL_MS } from "./challenges";
export { maskAddress } from "./factors";
export { FRESH_VERIFICATION_MS } from "./sessions";
export * from "./views";

/**
 * How long new audit entries and a status change wait before they are sent to the tenant's
 * object, in one batch (see `tenant-sync`). The tenant-wide audit and directory lag by this.
 */
export const TENANT_SYNC_DELAY_MS = 500;
/** How long a failed sync waits before it is tried again. */
const SYNC_RETRY_MS = 30_000;

/** The operation of the challenge an enrolled user answers before adding a factor. */
export const MANAGE_FACTORS = "manage_factors";

/**
 * The address of a user's Durable Object.
 * @example
 * const user = userState(env, "acme", "alice"); await user.status();
 */
export function userState(env: Env, tenantId: string, userId: string): DurableObjectStub<UserState> {
  // JSON keeps the two parts apart whatever characters a user id contains.
  return countedStub(env, env.USERS.get(env.USERS.idFromName(JSON.stringify([tenantId, userId]))));
}

export class UserState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Sealed secrets and code hashes are bound to this object, so they cannot be moved to another user. */
  private readonly owner: string;
  /** Whose object this is: set before any request is let in, or the object refuses them all. */
  private tenantId = "";
  private userId = "";
  private syncScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.owner = ctx.id.toString();
    void ctx.blockConcurrencyWhile(async () => {
      // `userState` names every object `[tenantId, userId]`; without that name or a stored one this
      // throws, and every request (and the alarm) is refused, with nothing written.
      [this.tenantId, this.userId] = JSON.parse(objectIdentity(this.sql, ctx.id, "UserState", () => nameFromProfile(this.sql))) as [string, string];
      migrate(this.sql, USER_MIGRATIONS);
      // A user enrolled before the directory existed is listed the first time their object wakes.
      if (!known(this.sql) && factorRows(this.sql).length > 0) this.seen(undefined, Date.now());
    });
  }

  /**
   * Sends the tenant's object what it has not seen yet (the alarm set by {@link record}). A
   * failure is retried later, for as long as it takes, rather than left to the runtime's few
   * automatic retries: a quiet user must still reach the directory.
   */
  override async alarm(): Promise<void> {
    this.syncScheduled = false;
    try {
      if (await this.syncToTenant()) this.scheduleSync();
    } catch (error) {
      console.error("stepgate: sync to the tenant failed; retrying", error);
      this.syncScheduled = true;
      await this.ctx.storage.setAlarm(Date.now() + SYNC_RETRY_MS);
    }
  }

  /**
   * Sends pending audit entries and a changed status to the tenant's object now. Admin routes
   * call it after acting, so the admin sees their own change in the directory and audit at once.
   * Returns `true` when more entries wait for another batch.
   */
  async syncToTenant(): Promise<boolean> {
    return syncToTenant({
      sql: this.sql,
      env: this.env,
      tenantId: this.tenantId,
      userId: this.userId,
      setting: (name) => setting(this.sql, name),
      setSetting: (name, value) => setSetting(this.sql, name, value),
      directoryRow: () => directoryRow(this.sql, this.userId),
    });
  }


  /**
   * Records that the user's status changed (or that they were first seen, or their email
   * changed): the directory row is sent to the tenant's object with the next batch. Called on
   * status changes only, never per request or per verification.
   */
  private statusChanged(): void {
    setSetting(this.sql, "directory_version", (setting(this.sql, "directory_version") ?? 0) + 1);
    setSetting(this.sql, "directory_dirty", 1);
    this.scheduleSync();
  }

  /** Notes the user in their profile the first time, and the session's email when it changes. */
  private seen(email: string | null | undefined, now: number): void {
    if (noteSeen(this.sql, { tenantId: this.tenantId, userId: this.userId }, email, now)) this.statusChanged();
  }


  /** Appends to the user's audit trail; the entry reaches the tenant's trail with the next batch. */
  private record(now: number, type: string, origin: RequestOrigin, detail: Record<string, unknown>): void {
    recordAudit(this.sql, now, type, origin, detail);
    this.scheduleSync();
  }

  /** Whose secrets these are, for matching answers. */
  private keys(): Keys {
    return { env: this.env, sql: this.sql, owner: this.owner };
  }

  // The two steps below stay methods of the instance: the fault and race tests replace them there.
  private matchAnswer(input: { challengeId: string; factor: AnswerFactor; code: string; settings: AnswerSettings }, factorId: string | null, now: number): Promise<Matched> {
    return matchAnswer(this.keys(), input, factorId, now);
  }

  private grantSpent(jti: string): boolean {
    return grantSpent(this.sql, jti);
  }

  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    void this.ctx.storage.setAlarm(Date.now() + TENANT_SYNC_DELAY_MS);
  }

  /**
   * Enrolment state used by the gate to decide between pass, challenge and enrol. The tenant's
   * re-enrolment epoch, when given, is applied first (see {@link applyEnrolmentEpoch}).
   */
  async status(enrolmentEpoch?: number, email?: string | null): Promise<UserStatus> {
    this.seen(email, Date.now());
    await this.applyEnrolmentEpoch(enrolmentEpoch);
    return { factors: activeFactors(this.sql), requiredByAdmin: requiredByAdmin(this.sql) };
  }

  /** Opens a challenge for a protected request; expired challenges are swept on the way. */
  async openChallenge(request: ChallengeRequest): Promise<OpenedChallenge> {
    const challenge = { id: randomId(), expiresAt: Date.now() + CHALLENGE_TTL_MS };
    // A held request is sealed to this user and this challenge: it cannot be moved to another.
    const heldSealed = request.held ? await seal(this.env, request.held, `held:${this.owner}:${challenge.id}`) : null;
    insertChallenge(this.sql, challenge, request, heldSealed, Date.now());
    return challenge;
  }

  /** An open challenge of this session, or `null` (unknown, expired, answered, other session alike). */
  async describeChallenge(id: string, sessionId: string): Promise<ChallengeView | null> {
    return challengeView(this.sql, id, sessionId, Date.now());
  }

  /**
   * Starts a TOTP enrolment. With `resume`, an unexpired pending enrolment is returned instead,
   * so reloading the enrolment page keeps the QR code the user may already have scanned.
   */
  async beginTotpEnrolment(input: { sessionId: string; settings: TotpSettings; resume: boolean }): Promise<EnrolmentStart> {
    const now = Date.now();
    const refused = this.mayAddFactor(input.sessionId, now, (f) => f.kind === "totp");
    if (refused) return refused;
    if (input.resume) {
      const pending = this.sql
        .exec<{ id: string; secret_sealed: string; totp_settings: string }>(
          "SELECT id, secret_sealed, totp_settings FROM factors WHERE status = 'pending' AND kind = 'totp' AND created_at > ? ORDER BY created_at DESC LIMIT 1",
          now - ENROLMENT_TTL_MS,
        )
        .toArray()[0];
      if (pending) {
        const secret = await unseal(this.env, pending.secret_sealed, `totp:${this.owner}`);
        return { ok: true, enrollmentId: pending.id, secret, settings: JSON.parse(pending.totp_settings) as AppSettings };
      }
    }
    const settings: AppSettings = { digits: input.settings.digits, periodSeconds: input.settings.periodSeconds, algorithm: input.settings.algorithm };
    const secret = newTotpSecret();
    const sealed = await seal(this.env, secret, `totp:${this.owner}`);
    const enrollmentId = randomId();
    dropStalePending(this.sql, now);
    this.sql.exec(
      "INSERT INTO factors (id, kind, status, created_at, secret_sealed, totp_settings) VALUES (?, 'totp', 'pending', ?, ?, ?)",
      enrollmentId, now, sealed, JSON.stringify(settings),
    );
    this.seen(undefined, now);
    this.statusChanged();
    return { ok: true, enrollmentId, secret, settings };
  }

  /** Starts enrolling a phone number (E.164, already validated) or an email address. */
  async beginCodeEnrolment(kind: CodeKind, address: string, sessionId: string): Promise<CodeEnrolmentStart> {
    const now = Date.now();
    const refused = this.mayAddFactor(sessionId, now, (f) => f.kind === kind && f.address === address);
    if (refused) return refused;
    const enrollmentId = randomId();
    dropStalePending(this.sql, now);
    this.sql.exec("INSERT INTO factors (id, kind, status, created_at, address) VALUES (?, ?, 'pending', ?, ?)", enrollmentId, kind, now, address);
    this.seen(undefined, now);
    this.statusChanged();
    return { ok: true, enrollmentId };
  }

  /**
   * Makes a code for a challenge or a pending enrolment and records the send, within the
   * per-user cooldown and hourly cap. The send is recorded before the first await, so parallel
   * requests cannot both pass a limit. The caller delivers the code, or calls `withdrawCode`.
   */
  async issueCode(input: {
    target: CodeTarget;
    kind: CodeKind;
    sessionId: string;
    settings: CodeSettings;
    perUserPerHour: number;
    origin: RequestOrigin;
  }): Promise<IssuedCode> {
    const now = Date.now();
    const found = this.codeDestination(input.target, input.kind, input.sessionId, now);
    if ("ok" in found) return found;
    const refused = reserveSend(this.sql, found.purpose, input.kind, input.settings, input.perUserPerHour, now);
    if (refused) {
      this.record(now, "code.refused", input.origin, { factor: input.kind, reason: refused.error, purpose: found.purpose.split(":")[0] });
      return { ok: false, ...refused };
    }
    const code = newNumericCode(input.settings.codeLength);
    const hash = await keyedHash(this.env, `${this.owner}:code:${found.purpose}`, code);
    const expiresAt = now + input.settings.codeTtlSeconds * 1000;
    storeCode(this.sql, found.purpose, { kind: input.kind, factorId: found.factorId, hash, expiresAt, attemptsLeft: input.settings.maxAttemptsPerCode });
    this.record(now, "code.sent", input.origin, { factor: input.kind, to: maskAddress(input.kind, found.address), purpose: found.purpose.split(":")[0] });
    return {
      ok: true,
      code,
      kind: input.kind,
      destination: found.address,
      expiresAt,
      purpose: found.purpose,
      sentAt: now,
      resendAfter: now + input.settings.resendCooldownSeconds * 1000,
    };
  }

  /** Undoes {@link issueCode} when the code could not be delivered: no live code, no send counted. */
  async withdrawCode(purpose: string, sentAt: number, reason: string, origin: RequestOrigin): Promise<void> {
    releaseSend(this.sql, purpose, sentAt);
    this.record(Date.now(), "code.undelivered", origin, { purpose: purpose.split(":")[0], reason });
  }

  /**
   * Confirms a pending enrolment (any factor) with its first code. The first factor also gets
   * backup codes, shown once. When `challengeId` names an open challenge of this session,
   * proving the new factor answers it.
   */
  async confirmEnrolment(input: {
    enrollmentId: string;
    /** The factor the caller expects this enrolment to be. */
    kind: "totp" | CodeKind;
    code: string;
    sessionId: string;
    challengeId: string | null;
    backupCodeCount: number;
    settings: AnswerSettings;
    origin: RequestOrigin;
    /** The tenant's re-enrolment epoch, applied first (see {@link applyEnrolmentEpoch}). */
    enrolmentEpoch?: number;
  }): Promise<ConfirmOutcome> {
    this.enrolmentEpoch(input.enrolmentEpoch);
    const now = Date.now();
    const pending = this.sql
      .exec<{ kind: string; secret_sealed: string | null; totp_settings: string | null }>(
        "SELECT kind, secret_sealed, totp_settings FROM factors WHERE id = ? AND kind = ? AND status = 'pending' AND created_at > ?",
        input.enrollmentId, input.kind, now - ENROLMENT_TTL_MS,
      )
      .toArray()[0];
    if (!pending) return { ok: false, error: "enrollment_not_found" };
    const counted = countAttempt(this.sql, now, input.settings.lockout);
    if ("ok" in counted) return counted;
    // A sent code's tries are used up before it is checked, like the lockout count above.
    if (pending.kind !== "totp" && !takeCodeTry(this.sql, `enroll:${input.enrollmentId}`, now)) {
      return this.refuseCode(input.origin, pending.kind, now, input.settings.lockout);
    }

    const matched: Matched =
      pending.kind === "totp"
        ? await matchTotp(this.keys(), input.enrollmentId, pending, input.code, input.settings.totp, now)
        : await matchSentCode(this.keys(), `enroll:${input.enrollmentId}`, input.code, now);
    const firstFactor = activeFactors(this.sql).length === 0;
    const backupCodes = firstFactor ? newBackupCodes(input.backupCodeCount) : [];
    const hashes = await Promise.all(backupCodes.map((code) => keyedHash(this.env, `${this.owner}:backup`, normalizeBackupCode(code))));

    // Synchronous from here: nothing can interleave between these checks and writes.
    if (!matched || !spendCode(this.sql, matched)) return this.refuseCode(input.origin, pending.kind, now, input.settings.lockout);
    if (firstFactor && activeFactors(this.sql).length > 0) return { ok: false, error: "already_enrolled" };
    // Checked again here, not only when the enrolment began: a pending enrolment started while
    // the user had no factor must not slip in after they enrolled one elsewhere.
    const stale = this.mayAddFactor(input.sessionId, now, () => false);
    if (stale) return stale;
    this.sql.exec("UPDATE factors SET status = 'active' WHERE id = ?", input.enrollmentId);
    this.statusChanged();
    // Any other pending enrolment was started under the old state of the account: drop it.
    this.sql.exec("DELETE FROM factors WHERE status = 'pending'");
    if (firstFactor) {
      replaceBackupCodes(this.sql, hashes, now);
    }
    clearFailures(this.sql, now, counted.lockedUntil);
    // Enrolling the first factor proves this session; adding another must not extend the window.
    if (firstFactor) markFresh(this.sql, input.sessionId, now);
    this.record(now, "factor.enrolled", input.origin, { factor: pending.kind, factorId: input.enrollmentId });
    if (firstFactor) this.record(now, "backup_codes.issued", input.origin, { count: hashes.length });
    // Enrolling answers only the challenge that sent the user to enrol, and only for a first
    // factor; an already enrolled user proves themselves with a factor they had before.
    const challenge = input.challengeId && firstFactor ? completeChallenge(this.sql, input.challengeId, input.sessionId, now, "enroll") : null;
    return { ok: true, factorId: input.enrollmentId, backupCodes, challenge };
  }

  /** Answers a challenge with a code; see the module note on why the attempt is counted first. */
  async verify(input: {
    challengeId: string;
    sessionId: string;
    factor: AnswerFactor;
    code: string;
    settings: AnswerSettings;
    origin: RequestOrigin;
    /**
     * The tenant's re-enrolment epoch, applied before the answer is matched: a factor enrolled
     * before 2FA was turned off and on, or a challenge opened before, answers nothing.
     */
    enrolmentEpoch?: number;
  }): Promise<VerifyOutcome> {
    this.enrolmentEpoch(input.enrolmentEpoch);
    const now = Date.now();
    // An enrolment challenge is answered only by enrolling (confirmEnrolment), never by a code:
    // a user who must enrol cannot pass with leftover backup codes and no factor.
    if (openChallengeRow(this.sql, input.challengeId, input.sessionId, now)?.kind !== "step_up") return { ok: false, error: "challenge_not_found" };
    const factor = input.factor === "backup_code" ? null : activeFactors(this.sql).find((f) => f.kind === input.factor);
    if (input.factor !== "backup_code" && !factor) return { ok: false, error: "factor_not_enrolled" };
    const counted = countAttempt(this.sql, now, input.settings.lockout);
    if ("ok" in counted) return counted;
    // A sent code's tries are used up before it is checked, like the lockout count above.
    const sentPurpose = sentCodePurposeOf(input.factor, input.challengeId);
    if (sentPurpose && !takeCodeTry(this.sql, sentPurpose, now)) return this.refuseCode(input.origin, input.factor, now, input.settings.lockout);

    const matched = await this.matchAnswer(input, factor?.id ?? null, now);

    // Synchronous from here: the replay check and its write cannot be split by another request.
    if (!matched || !spendCode(this.sql, matched)) return this.refuseCode(input.origin, input.factor, now, input.settings.lockout);
    const challenge = completeChallenge(this.sql, input.challengeId, input.sessionId, now);
    if (!challenge) return { ok: false, error: "challenge_not_found" };
    clearFailures(this.sql, now, counted.lockedUntil);
    // Only a verification asked for to manage factors opens the window to add one.
    if (challenge.operation === MANAGE_FACTORS) markFresh(this.sql, input.sessionId, now);
    this.record(now, "verify.ok", input.origin, { factor: input.factor, operation: challenge.operation });
    if (matched.kind === "backup_code") {
      this.record(now, "backup_code.used", input.origin, { remaining: backupCodesLeft(this.sql) });
    }
    return { ok: true, ...challenge };
  }

  /**
   * Takes the request held with a verified challenge, to send it on: once only, within the
   * challenge's lifetime, and only while its grant is unspent. The caller sends it through the
   * gate with that grant, which spends it; so of a complete and a retry with the grant racing,
   * exactly one reaches the origin.
   */
  async takeHeldRequest(challengeId: string, sessionId: string): Promise<HeldRequestTaken> {
    const now = Date.now();
    const row = this.sql
      .exec<{ operation: string; expires_at: number; digest: string | null; held_sealed: string | null; grant_id: string | null; verified_at: number | null; completed_at: number | null }>(
        "SELECT operation, expires_at, digest, held_sealed, grant_id, verified_at, completed_at FROM challenges WHERE id = ? AND session_id = ? AND expires_at > ?",
        challengeId, sessionId, now,
      )
      .toArray()[0];
    if (!row?.held_sealed) return { ok: false, error: "challenge_not_found" };
    if (row.verified_at === null || row.grant_id === null) return { ok: false, error: "not_verified" };
    // Checked and written with no await between: of two completes racing, one takes it.
    if (row.completed_at !== null || this.grantSpent(row.grant_id)) return { ok: false, error: "already_completed" };
    this.sql.exec("UPDATE challenges SET completed_at = ? WHERE id = ?", now, challengeId);
    const request = await unseal(this.env, row.held_sealed, `held:${this.owner}:${challengeId}`);
    return { ok: true, request, grantId: row.grant_id, digest: row.digest, operation: row.operation, verifiedAt: row.verified_at };
  }

  /**
   * Marks a single-use grant as spent; `true` only for its first use.
   * @example
   * if (!(await user.consumeGrant(jti, expiresAt))) // replayed
   */
  async consumeGrant(jti: string, expiresAt: number): Promise<boolean> {
    const now = Date.now();
    this.sql.exec("DELETE FROM used_grants WHERE expires_at <= ?", now);
    // Read and write with no await between them: no other request can interleave here.
    if (this.grantSpent(jti)) return false;
    // Remembered at least as long as a challenge lives, so a held request of the same challenge
    // can never be completed after its grant was used and forgotten.
    this.sql.exec("INSERT INTO used_grants (jti, expires_at) VALUES (?, ?)", jti, Math.max(expiresAt, now + CHALLENGE_TTL_MS));
    // The request the grant approved was sent: its held copy is done too.
    this.sql.exec("UPDATE challenges SET completed_at = ? WHERE grant_id = ? AND completed_at IS NULL", now, jti);
    return true;
  }

  /** Ends a lockout at once (admin action). */
  async unlock(origin: RequestOrigin, actor: string): Promise<{ wasLocked: boolean }> {
    const now = Date.now();
    const wasLocked = lockRemainingMs(loadLockout(this.sql), now) > 0;
    saveLockout(this.sql, NO_FAILURES);
    this.record(now, "lockout.cleared", origin, { actor, wasLocked });
    if (wasLocked) this.statusChanged();
    return { wasLocked };
  }

  /**
   * An admin's reset: every factor (pending ones too), backup code, trusted device, sent code,
   * open challenge and fresh verification is gone, the lockout is cleared, and every grant issued
   * before now is void at its next check (within the 5-minute re-check bound). The user enrols
   * again from nothing; the audit trail and spent-grant records stay.
   */
  async reset(origin: RequestOrigin, actor: string): Promise<{ factorsRemoved: number } | null> {
    const now = Date.now();
    if (!known(this.sql)) return null;
    const factorsRemoved = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM factors WHERE status = 'active'").one().n;
    for (const table of ["factors", "backup_codes", "sent_codes", "challenges", "fresh_sessions"]) this.sql.exec(`DELETE FROM ${table}`);
    saveLockout(this.sql, NO_FAILURES);
    revokeEverything(this.sql, now);
    this.seen(undefined, now);
    this.record(now, "user.reset", origin, { actor, factorsRemoved });
    this.statusChanged();
    return { factorsRemoved };
  }


  /** What an admin sees of the user: factors, backup codes left, devices, lock and requirement. */
  async details(enrolmentEpoch?: number): Promise<UserDetails | null> {
    if (!known(this.sql)) return null;
    await this.applyEnrolmentEpoch(enrolmentEpoch);
    const now = Date.now();
    const factors = factorDetails(this.sql);

    const locked = lockRemainingMs(loadLockout(this.sql), now) > 0;
    return {
      factors,
      backupCodesLeft: backupCodesLeft(this.sql),
      devices: await this.devices(),
      lockedUntil: locked ? iso(loadLockout(this.sql).lockedUntil) : null,
      requiredByAdmin: requiredByAdmin(this.sql),
    };
  }

  /**
   * Whether a grant issued at `issuedAt` still stands: no reset, factor change or other
   * revocation since, and, for a grant a trusted device earned, that device is still trusted.
   */
  async grantStillGood(issuedAt: number, deviceId: string | null): Promise<boolean> {
    if (issuedAt < (setting(this.sql, "revoked_before") ?? 0)) return false;
    return deviceId === null || trustedDevice(this.sql, deviceId, Date.now()) !== null;
  }

  /**
   * Remembers this browser as trusted for `days`; past `max` devices the oldest is dropped.
   * `null` when everything was revoked after the verification (`provedAt`) that asked for it.
   */
  async trustDevice(input: { name: string; days: number; max: number; origin: RequestOrigin; provedAt: number }): Promise<{ deviceId: string; expiresAt: number } | null> {
    const now = Date.now();
    // The verification that asked for trust came before a reset or factor change: no trust.
    if (input.provedAt < (setting(this.sql, "revoked_before") ?? 0)) return null;
    const deviceId = randomId();
    const expiresAt = now + input.days * 86_400_000;
    addDevice(this.sql, { id: deviceId, name: input.name.slice(0, 120), ip: input.origin.ip, expiresAt, max: input.max }, now);
    this.record(now, "device.trusted", input.origin, { deviceId, name: input.name.slice(0, 120) });
    return { deviceId, expiresAt };
  }

  /** Uses a trusted device for a login: `true` when it is still trusted (its last use is noted). */
  async useTrustedDevice(deviceId: string, origin: RequestOrigin): Promise<boolean> {
    const now = Date.now();
    if (!trustedDevice(this.sql, deviceId, now)) return false;
    touchDevice(this.sql, deviceId, origin.ip, now);
    this.record(now, "login.trusted_device", origin, { deviceId });
    return true;
  }

  /** The devices the user trusts, newest first. */
  async devices(): Promise<DeviceView[]> {
    return listDevices(this.sql, Date.now());
  }

  /** Stops trusting a device; grants it earned end at their next check. */
  async revokeDevice(deviceId: string, origin: RequestOrigin, actor: string): Promise<boolean> {
    if (!removeDevice(this.sql, deviceId)) return false;
    this.record(Date.now(), "device.revoked", origin, { deviceId, actor });
    return true;
  }

  /** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
  async setRequirement(required: boolean | null, origin: RequestOrigin, actor: string): Promise<void> {
    this.seen(undefined, Date.now());
    setSetting(this.sql, "required_by_admin", required === null ? null : Number(required));
    this.record(Date.now(), "requirement.set", origin, { required, actor });
    this.statusChanged();
  }

  /**
   * Removes a factor (self-service), when this session verified for `manage_factors` recently
   * and the user may go without it. Removing ends every grant and device trust of the user.
   */
  async removeFactor(input: { factorId: string; sessionId: string; mayRemoveLast: boolean; origin: RequestOrigin }): Promise<RemovalOutcome> {
    const now = Date.now();
    const active = factorRows(this.sql);
    if (!active.some((f) => f.id === input.factorId)) return { ok: false, error: "factor_not_enrolled" };
    if (!isFresh(this.sql, input.sessionId, now)) return { ok: false, error: "step_up_required" };
    if (active.length === 1 && !input.mayRemoveLast) return { ok: false, error: "last_factor_required" };
    this.sql.exec("DELETE FROM factors WHERE id = ?", input.factorId);
    if (active.length === 1) this.sql.exec("DELETE FROM backup_codes");
    revokeEverything(this.sql, now);
    this.record(now, "factor.removed", input.origin, { factorId: input.factorId, remaining: active.length - 1 });
    this.statusChanged();
    return { ok: true };
  }

  /** New backup codes (the old ones die), for a session that verified for `manage_factors` recently. */
  async regenerateBackupCodes(input: { sessionId: string; count: number; origin: RequestOrigin }): Promise<{ ok: true; backupCodes: string[] } | Refusal> {
    if (factorRows(this.sql).length === 0) return { ok: false, error: "factor_not_enrolled" };
    if (!isFresh(this.sql, input.sessionId, Date.now())) return { ok: false, error: "step_up_required" };
    const backupCodes = newBackupCodes(input.count);
    const hashes = await Promise.all(backupCodes.map((code) => keyedHash(this.env, `${this.owner}:backup`, normalizeBackupCode(code))));
    // Checked again after the await: the last factor may have been removed meanwhile, and backup
    // codes without a factor must not exist.
    if (factorRows(this.sql).length === 0) return { ok: false, error: "factor_not_enrolled" };
    const now = Date.now();
    replaceBackupCodes(this.sql, hashes, now);
    this.record(now, "backup_codes.issued", input.origin, { count: hashes.length });
    return { ok: true, backupCodes };
  }

  /**
   * Applies the tenant's re-enrolment epoch once: factors enrolled before it are dropped, so
   * a user who had enrolled before 2FA was turned off and on again must enrol again.
   */
  async applyEnrolmentEpoch(epoch: number | undefined): Promise<void> {
    this.enrolmentEpoch(epoch);
  }

  /** {@link applyEnrolmentEpoch}, synchronously: a challenge opened before the epoch is void too. */
  private enrolmentEpoch(epoch: number | undefined): void {
    if (!epoch || (setting(this.sql, "epoch_applied") ?? 0) >= epoch) return;
    const now = Date.now();
    const dropped = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM factors WHERE created_at < ?", epoch).one().n;
    this.sql.exec("DELETE FROM factors WHERE created_at < ?", epoch);
    this.sql.exec("DELETE FROM challenges WHERE created_at < ?", epoch);
    if (factorRows(this.sql).length === 0) this.sql.exec("DELETE FROM backup_codes");
    setSetting(this.sql, "epoch_applied", epoch);
    if (dropped > 0) {
      revokeEverything(this.sql, now);
      this.record(now, "factors.reenrolment_required", { ip: null, userAgent: null }, { dropped });
      this.statusChanged();
    }
  }







  /** The newest audit entries first. */
  async audit(limit: number, beforeSeq: number | null): Promise<AuditEntry[]> {
    return listAudit(this.sql, limit, beforeSeq);
  }

  /** The user's own recent sign-ins, verifications and changes to what protects the account. */
  async signInActivity(limit: number): Promise<AuditEntry[]> {
    return listAudit(this.sql, limit, null, SIGN_IN_ACTIVITY_TYPES);
  }







  /** A wrong answer: already counted by {@link countAttempt}; the one that reaches the limit starts the lock. */
  private refuseCode(origin: RequestOrigin, factor: string, now: number, policy: LockoutPolicy): Refusal {
    const state = loadLockout(this.sql);
    const left = attemptsRemaining(state, policy);
    this.record(now, "verify.failed", origin, { factor, attemptsRemaining: left });
    if (left === 0 && lockRemainingMs(state, now) > 0) {
      this.record(now, "lockout.started", origin, { until: state.lockedUntil });
      this.statusChanged();
    }
    return { ok: false, error: "invalid_code", attemptsRemaining: left };
  }






  /**
   * Whether this session may add a factor: freely while the user has none, otherwise only
   * after a verification in this session within {@link FRESH_VERIFICATION_MS} — so a stolen
   * portal session cannot quietly add the thief's phone to a protected account.
   */
  private mayAddFactor(sessionId: string, now: number, duplicate: (factor: FactorRow) => boolean): Refusal | null {
    const active = factorRows(this.sql);
    if (active.some(duplicate)) return { ok: false, error: "already_enrolled" };
    if (active.length === 0) return null;
    return isFresh(this.sql, sessionId, now) ? null : { ok: false, error: "step_up_required" };
  }



  /** Where a code for `target` goes, or why none can be sent. */
  private codeDestination(target: CodeTarget, kind: CodeKind, sessionId: string, now: number): { purpose: string; factorId: string; address: string } | Refusal {
    if ("enrollmentId" in target) {
      const row = this.sql
        .exec<{ address: string }>("SELECT address FROM factors WHERE id = ? AND kind = ? AND status = 'pending' AND created_at > ?", target.enrollmentId, kind, now - ENROLMENT_TTL_MS)
        .toArray()[0];
      return row ? { purpose: `enroll:${target.enrollmentId}`, factorId: target.enrollmentId, address: row.address } : { ok: false, error: "enrollment_not_found" };
    }
    if (!openChallengeRow(this.sql, target.challengeId, sessionId, now)) return { ok: false, error: "challenge_not_found" };
    const factor = factorRows(this.sql).find((f) => f.kind === kind);
    return factor?.address ? { purpose: `challenge:${target.challengeId}`, factorId: factor.id, address: factor.address } : { ok: false, error: "factor_not_enrolled" };
  }


}
