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
import { candidateHashes, hashBackupCode, newBackupCodes, normalizeBackupCode } from "../factors/backup-codes";
import { matchTotpStep, newTotpSecret, type TotpSettings } from "../factors/totp";
import { randomId } from "../lib/ids";
import { seal, unseal } from "../lib/sealed";
import { recordAudit, type AuditEntry, listAudit, type RequestOrigin } from "./audit-log";
import { afterFailure, attemptsRemaining, lockRemainingMs, NO_FAILURES, type LockoutPolicy, type LockoutState } from "./lockout";
import { migrate } from "./user-schema";

/** How long a challenge can be answered after it was opened. */
export const CHALLENGE_TTL_MS = 10 * 60_000;
/** Open challenges kept per user; the oldest is dropped past this. */
const MAX_OPEN_CHALLENGES = 50;
/** How long a started enrolment waits for its first code. */
const ENROLMENT_TTL_MS = 15 * 60_000;

export type AnswerFactor = "totp" | "backup_code";

export interface UserStatus {
  /** Factors the user has confirmed. */
  factors: Array<{ id: string; kind: string }>;
  /** An admin's per-user decision: `true` required, `false` exempt, `null` follow the policy. */
  requiredByAdmin: boolean | null;
}

export interface ChallengeRequest {
  /** `enroll` when the user must enrol before they can be challenged. */
  kind: "step_up" | "enroll";
  operation: string;
  sessionId: string;
  /** Same-host path to send the browser back to afterwards. */
  returnTo: string | null;
}

export interface OpenedChallenge {
  id: string;
  expiresAt: number;
}

export interface ChallengeView {
  id: string;
  kind: "step_up" | "enroll";
  operation: string;
  expiresAt: number;
  returnTo: string | null;
  /** What the user can answer with now. */
  factors: string[];
}

export interface AnswerSettings {
  totp: TotpSettings;
  lockout: LockoutPolicy;
}

export type Refusal =
  | { ok: false; error: "invalid_code"; attemptsRemaining: number }
  | { ok: false; error: "locked"; retryAfterSeconds: number }
  | { ok: false; error: "challenge_not_found" | "enrollment_not_found" | "already_enrolled" | "factor_not_enrolled" };

export type VerifyOutcome = { ok: true; operation: string; returnTo: string | null } | Refusal;

export type EnrolmentStart = { ok: true; enrollmentId: string; secret: string } | Refusal;

export type ConfirmOutcome =
  | { ok: true; factorId: string; backupCodes: string[]; challenge: { operation: string; returnTo: string | null } | null }
  | Refusal;

/**
 * The address of a user's Durable Object.
 * @example
 * const user = userState(env, "acme", "alice"); await user.status();
 */
export function userState(env: Env, tenantId: string, userId: string): DurableObjectStub<UserState> {
  // JSON keeps the two parts apart whatever characters a user id contains.
  return env.USERS.get(env.USERS.idFromName(JSON.stringify([tenantId, userId])));
}

type Matched = { kind: "totp"; factorId: string; step: number } | { kind: "backup_code"; hash: string } | null;

export class UserState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Sealed secrets and code hashes are bound to this object, so they cannot be moved to another user. */
  private readonly owner: string;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.owner = ctx.id.toString();
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql));
  }

  /** Enrolment state used by the gate to decide between pass, challenge and enrol. */
  async status(): Promise<UserStatus> {
    const profile = this.sql.exec<{ required_by_admin: number | null }>("SELECT required_by_admin FROM profile").toArray()[0];
    const flag = profile?.required_by_admin;
    return { factors: this.activeFactors(), requiredByAdmin: flag === null || flag === undefined ? null : flag === 1 };
  }

  /** Opens a challenge for a protected request; expired challenges are swept on the way. */
  async openChallenge(request: ChallengeRequest): Promise<OpenedChallenge> {
    const now = Date.now();
    const challenge = { id: randomId(), expiresAt: now + CHALLENGE_TTL_MS };
    this.sql.exec("DELETE FROM challenges WHERE expires_at <= ?", now);
    // A client that keeps hitting protected routes cannot grow this table without bound.
    this.sql.exec(
      "DELETE FROM challenges WHERE id IN (SELECT id FROM challenges ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
      MAX_OPEN_CHALLENGES - 1,
    );
    this.sql.exec(
      "INSERT INTO challenges (id, kind, operation, session_id, return_to, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      challenge.id, request.kind, request.operation, request.sessionId, request.returnTo, now, challenge.expiresAt,
    );
    return challenge;
  }

  /** An open challenge of this session, or `null` (unknown, expired, answered, other session alike). */
  async describeChallenge(id: string, sessionId: string): Promise<ChallengeView | null> {
    const row = this.openChallengeRow(id, sessionId, Date.now());
    if (!row) return null;
    const factors = [...new Set(this.activeFactors().map((f) => f.kind))];
    if (this.backupCodesLeft() > 0) factors.push("backup_code");
    return { id, kind: row.kind, operation: row.operation, expiresAt: row.expires_at, returnTo: row.return_to, factors };
  }

  /**
   * Starts a TOTP enrolment; only for a user without any factor yet. With `resume`, an
   * unexpired pending enrolment is returned instead, so reloading the enrolment page keeps the
   * QR code the user may already have scanned.
   */
  async beginTotpEnrolment(resume = false): Promise<EnrolmentStart> {
    if (this.activeFactors().length > 0) return { ok: false, error: "already_enrolled" };
    const now = Date.now();
    if (resume) {
      const pending = this.sql
        .exec<{ id: string; secret_sealed: string }>(
          "SELECT id, secret_sealed FROM factors WHERE status = 'pending' AND kind = 'totp' AND created_at > ? ORDER BY created_at DESC LIMIT 1",
          now - ENROLMENT_TTL_MS,
        )
        .toArray()[0];
      if (pending) return { ok: true, enrollmentId: pending.id, secret: await unseal(this.env, pending.secret_sealed, `totp:${this.owner}`) };
    }
    const secret = newTotpSecret();
    const sealed = await seal(this.env, secret, `totp:${this.owner}`);
    const enrollmentId = randomId();
    this.sql.exec("DELETE FROM factors WHERE status = 'pending' AND created_at <= ?", now - ENROLMENT_TTL_MS);
    this.sql.exec(
      "INSERT INTO factors (id, kind, status, created_at, secret_sealed) VALUES (?, 'totp', 'pending', ?, ?)",
      enrollmentId, now, sealed,
    );
    return { ok: true, enrollmentId, secret };
  }

  /**
   * Activates a pending TOTP enrolment with its first code, and issues backup codes. When
   * `challengeId` names an open challenge of this session, proving the new factor answers it.
   */
  async confirmTotpEnrolment(input: {
    enrollmentId: string;
    code: string;
    sessionId: string;
    challengeId: string | null;
    backupCodeCount: number;
    settings: AnswerSettings;
    origin: RequestOrigin;
  }): Promise<ConfirmOutcome> {
    const now = Date.now();
    const pending = this.sql
      .exec<{ secret_sealed: string }>(
        "SELECT secret_sealed FROM factors WHERE id = ? AND status = 'pending' AND created_at > ?",
        input.enrollmentId, now - ENROLMENT_TTL_MS,
      )
      .toArray()[0];
    if (!pending) return { ok: false, error: "enrollment_not_found" };
    const refused = this.countAttempt(now, input.settings.lockout);
    if (refused) return refused;

    const secret = await unseal(this.env, pending.secret_sealed, `totp:${this.owner}`);
    const step = matchTotpStep(secret, input.code, input.settings.totp, now);
    const backupCodes = newBackupCodes(input.backupCodeCount);
    const hashes = await Promise.all(backupCodes.map((code) => hashBackupCode(this.env, this.owner, normalizeBackupCode(code))));

    // Synchronous from here: nothing can interleave between these checks and writes.
    if (step === null) return this.refuseCode(input.origin, "totp", now, input.settings.lockout);
    if (this.activeFactors().length > 0) return { ok: false, error: "already_enrolled" };
    this.sql.exec("UPDATE factors SET status = 'active', last_step = ? WHERE id = ?", step, input.enrollmentId);
    this.sql.exec("DELETE FROM factors WHERE status = 'pending'");
    this.sql.exec("DELETE FROM backup_codes");
    for (const hash of hashes) this.sql.exec("INSERT INTO backup_codes (hash, created_at) VALUES (?, ?)", hash, now);
    this.saveLockout(NO_FAILURES);
    recordAudit(this.sql, now, "factor.enrolled", input.origin, { factor: "totp", factorId: input.enrollmentId });
    recordAudit(this.sql, now, "backup_codes.issued", input.origin, { count: hashes.length });
    const challenge = input.challengeId ? this.completeChallenge(input.challengeId, input.sessionId, now) : null;
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
  }): Promise<VerifyOutcome> {
    const now = Date.now();
    if (!this.openChallengeRow(input.challengeId, input.sessionId, now)) return { ok: false, error: "challenge_not_found" };
    if (input.factor === "totp" && !this.activeFactors().some((f) => f.kind === "totp")) {
      return { ok: false, error: "factor_not_enrolled" };
    }
    const refused = this.countAttempt(now, input.settings.lockout);
    if (refused) return refused;

    const matched = await this.matchCode(input.factor, input.code, input.settings.totp, now);

    // Synchronous from here: the replay check and its write cannot be split by another request.
    if (!matched || !this.spendCode(matched)) return this.refuseCode(input.origin, input.factor, now, input.settings.lockout);
    const challenge = this.completeChallenge(input.challengeId, input.sessionId, now);
    if (!challenge) return { ok: false, error: "challenge_not_found" };
    this.saveLockout(NO_FAILURES);
    recordAudit(this.sql, now, "verify.ok", input.origin, { factor: input.factor, operation: challenge.operation });
    if (matched.kind === "backup_code") {
      recordAudit(this.sql, now, "backup_code.used", input.origin, { remaining: this.backupCodesLeft() });
    }
    return { ok: true, ...challenge };
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
    if (this.sql.exec("SELECT 1 FROM used_grants WHERE jti = ?", jti).toArray().length > 0) return false;
    this.sql.exec("INSERT INTO used_grants (jti, expires_at) VALUES (?, ?)", jti, expiresAt);
    return true;
  }

  /** Ends a lockout at once (admin action). */
  async unlock(origin: RequestOrigin, actor: string): Promise<{ wasLocked: boolean }> {
    const now = Date.now();
    const wasLocked = lockRemainingMs(this.lockout(), now) > 0;
    this.saveLockout(NO_FAILURES);
    recordAudit(this.sql, now, "lockout.cleared", origin, { actor, wasLocked });
    return { wasLocked };
  }

  /** The newest audit entries first. */
  async audit(limit: number, beforeSeq: number | null): Promise<AuditEntry[]> {
    return listAudit(this.sql, limit, beforeSeq);
  }

  private activeFactors(): Array<{ id: string; kind: string }> {
    return this.sql.exec<{ id: string; kind: string }>("SELECT id, kind FROM factors WHERE status = 'active' ORDER BY created_at").toArray();
  }

  private backupCodesLeft(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM backup_codes").one().n;
  }

  private openChallengeRow(id: string, sessionId: string, now: number) {
    return this.sql
      .exec<{ kind: "step_up" | "enroll"; operation: string; return_to: string | null; expires_at: number }>(
        "SELECT kind, operation, return_to, expires_at FROM challenges WHERE id = ? AND session_id = ? AND expires_at > ? AND verified_at IS NULL",
        id, sessionId, now,
      )
      .toArray()[0];
  }

  private completeChallenge(id: string, sessionId: string, now: number): { operation: string; returnTo: string | null } | null {
    const row = this.openChallengeRow(id, sessionId, now);
    if (!row) return null;
    this.sql.exec("UPDATE challenges SET verified_at = ? WHERE id = ?", now, id);
    return { operation: row.operation, returnTo: row.return_to };
  }

  /**
   * Raises the failure count before the code is checked, so N answers racing each other can
   * never be judged against a count that has not yet seen the others. A right answer resets it.
   */
  private countAttempt(now: number, policy: LockoutPolicy): Refusal | null {
    const state = this.lockout();
    const remaining = lockRemainingMs(state, now);
    if (remaining > 0) return { ok: false, error: "locked", retryAfterSeconds: Math.ceil(remaining / 1000) };
    this.saveLockout(afterFailure(state, now, policy));
    return null;
  }

  /** A wrong answer: already counted by {@link countAttempt}; the one that reaches the limit starts the lock. */
  private refuseCode(origin: RequestOrigin, factor: string, now: number, policy: LockoutPolicy): Refusal {
    const state = this.lockout();
    const left = attemptsRemaining(state, policy);
    recordAudit(this.sql, now, "verify.failed", origin, { factor, attemptsRemaining: left });
    if (left === 0 && lockRemainingMs(state, now) > 0) {
      recordAudit(this.sql, now, "lockout.started", origin, { until: state.lockedUntil });
    }
    return { ok: false, error: "invalid_code", attemptsRemaining: left };
  }

  private async matchCode(factor: AnswerFactor, code: string, totp: TotpSettings, now: number): Promise<Matched> {
    if (factor === "totp") {
      const row = this.sql
        .exec<{ id: string; secret_sealed: string }>("SELECT id, secret_sealed FROM factors WHERE kind = 'totp' AND status = 'active' LIMIT 1")
        .toArray()[0];
      if (!row) return null;
      const step = matchTotpStep(await unseal(this.env, row.secret_sealed, `totp:${this.owner}`), code, totp, now);
      return step === null ? null : { kind: "totp", factorId: row.id, step };
    }
    const kids = this.sql.exec<{ hash: string }>("SELECT hash FROM backup_codes").toArray().map((r) => r.hash.split(":")[0]!);
    for (const hash of await candidateHashes(this.env, this.owner, normalizeBackupCode(code), kids)) {
      if (this.sql.exec("SELECT 1 FROM backup_codes WHERE hash = ?", hash).toArray().length > 0) return { kind: "backup_code", hash };
    }
    return null;
  }

  /** Spends a matched code: a TOTP step only if later than the last one used, a backup code once. */
  private spendCode(matched: NonNullable<Matched>): boolean {
    // Each check and its write run with no await between them, so no other request interleaves.
    if (matched.kind === "backup_code") {
      if (this.sql.exec("SELECT 1 FROM backup_codes WHERE hash = ?", matched.hash).toArray().length === 0) return false;
      this.sql.exec("DELETE FROM backup_codes WHERE hash = ?", matched.hash);
      return true;
    }
    const { last_step } = this.sql.exec<{ last_step: number }>("SELECT last_step FROM factors WHERE id = ?", matched.factorId).one();
    if (matched.step <= last_step) return false;
    this.sql.exec("UPDATE factors SET last_step = ? WHERE id = ?", matched.step, matched.factorId);
    return true;
  }

  private lockout(): LockoutState {
    const row = this.sql
      .exec<{ failures: number; window_started_at: number; locked_until: number }>("SELECT failures, window_started_at, locked_until FROM lockout")
      .toArray()[0];
    return row ? { failures: row.failures, windowStartedAt: row.window_started_at, lockedUntil: row.locked_until } : NO_FAILURES;
  }

  private saveLockout(state: LockoutState): void {
    this.sql.exec(
      "INSERT INTO lockout (id, failures, window_started_at, locked_until) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, window_started_at = excluded.window_started_at, locked_until = excluded.locked_until",
      state.failures, state.windowStartedAt, state.lockedUntil,
    );
  }
}
