/**
 * @module
 * One Durable Object per (tenant, user): the single place a user's enrolment, challenges,
 * failed attempts and devices are written, so that every check on them is serialised and
 * race-free. The class is thin: RPC methods over its SQLite storage.
 */
import { DurableObject } from "cloudflare:workers";
import { randomId } from "../lib/ids";
import { migrate } from "./user-schema";

/** How long a challenge can be answered after it was opened. */
export const CHALLENGE_TTL_MS = 10 * 60_000;

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

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql));
  }

  /** Enrolment state used by the gate to decide between pass, challenge and enrol. */
  async status(): Promise<UserStatus> {
    const factors = this.sql
      .exec<{ id: string; kind: string }>("SELECT id, kind FROM factors WHERE status = 'active' ORDER BY created_at")
      .toArray();
    const profile = this.sql.exec<{ required_by_admin: number | null }>("SELECT required_by_admin FROM profile").toArray()[0];
    const flag = profile?.required_by_admin;
    return { factors, requiredByAdmin: flag === null || flag === undefined ? null : flag === 1 };
  }

  /** Opens a challenge for a protected request; expired challenges are swept on the way. */
  async openChallenge(request: ChallengeRequest): Promise<OpenedChallenge> {
    const now = Date.now();
    const id = randomId();
    const expiresAt = now + CHALLENGE_TTL_MS;
    this.sql.exec("DELETE FROM challenges WHERE expires_at <= ?", now);
    this.sql.exec(
      "INSERT INTO challenges (id, kind, operation, session_id, return_to, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      request.kind,
      request.operation,
      request.sessionId,
      request.returnTo,
      now,
      expiresAt,
    );
    return { id, expiresAt };
  }
}
