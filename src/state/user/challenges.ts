/**
 * @module
 * Open challenges (`challenges` table): opened for a protected request, answered once, and the
 * request a challenge holds.
 */
import { randomId } from "../../lib/ids";
import { seal } from "../../lib/sealed";
import type { Keys } from "./answers";
import { activeFactors, backupCodesLeft } from "./factors";
import { loadLockout } from "./attempts";
import { currentLock } from "./lockout";
import type { ApprovedField, ChallengeRequest, ChallengeView, CompletedChallenge, OpenedChallenge } from "./views";

/** How long a challenge can be answered after it was opened. */
export const CHALLENGE_TTL_MS = 10 * 60_000;
/** Open challenges kept per user; the oldest is dropped past this. */
const MAX_OPEN_CHALLENGES = 50;

/** Opens a challenge for a protected request; expired challenges are swept on the way. */
export async function openChallenge(keys: Keys, request: ChallengeRequest): Promise<OpenedChallenge> {
  const challenge = { id: randomId(), expiresAt: Date.now() + CHALLENGE_TTL_MS };
  // A held request is sealed to this user and this challenge: it cannot be moved to another.
  const heldSealed = request.held ? await seal(keys.env, request.held, `held:${keys.owner}:${challenge.id}`) : null;
  insertChallenge(keys.sql, challenge, request, heldSealed, Date.now());
  return challenge;
}

/** Stores a new challenge; expired challenges are swept, and the oldest past the bound dropped. */
function insertChallenge(sql: SqlStorage, challenge: OpenedChallenge, request: ChallengeRequest, heldSealed: string | null, now: number): void {
  sql.exec("DELETE FROM challenges WHERE expires_at <= ?", now);
  // A client that keeps hitting protected routes cannot grow this table without bound.
  sql.exec("DELETE FROM challenges WHERE id IN (SELECT id FROM challenges ORDER BY created_at DESC LIMIT -1 OFFSET ?)", MAX_OPEN_CHALLENGES - 1);
  sql.exec(
    "INSERT INTO challenges (id, kind, operation, session_id, return_to, created_at, expires_at, digest, display, held_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    challenge.id,
    request.kind,
    request.operation,
    request.sessionId,
    request.returnTo,
    now,
    challenge.expiresAt,
    request.digest ?? null,
    JSON.stringify(request.display ?? []),
    heldSealed,
  );
}

/** An unanswered, unexpired challenge of this session, or `undefined`. */
export function openChallengeRow(sql: SqlStorage, id: string, sessionId: string, now: number) {
  return sql
    .exec<{
      kind: "step_up" | "enroll";
      operation: string;
      return_to: string | null;
      expires_at: number;
      digest: string | null;
      display: string | null;
      held: number;
    }>(
      `SELECT kind, operation, return_to, expires_at, digest, display, held_sealed IS NOT NULL AS held
       FROM challenges WHERE id = ? AND session_id = ? AND expires_at > ? AND verified_at IS NULL`,
      id,
      sessionId,
      now,
    )
    .toArray()[0];
}

/** An open challenge of this session as the user sees it, or `null` (unknown, expired, answered, other session alike). */
export function challengeView(sql: SqlStorage, id: string, sessionId: string, now: number): ChallengeView | null {
  const row = openChallengeRow(sql, id, sessionId, now);
  if (!row) return null;
  const active = activeFactors(sql);
  const factors = [...new Set(active.map((f) => f.kind))];
  if (backupCodesLeft(sql) > 0) factors.push("backup_code");
  const destinations: ChallengeView["destinations"] = {};
  for (const f of active) if ((f.kind === "sms" || f.kind === "email") && f.destination) destinations[f.kind] ??= f.destination;
  const lock = currentLock(loadLockout(sql), now);
  return {
    id,
    kind: row.kind,
    operation: row.operation,
    expiresAt: row.expires_at,
    returnTo: row.return_to,
    factors,
    destinations,
    approving: JSON.parse(row.display ?? "[]") as ApprovedField[],
    held: row.held === 1,
    lockedUntil: lock.kind === "temporary" ? lock.until : null,
    lockedUntilUnlock: lock.kind === "until_unlock",
  };
}

/**
 * Marks an open challenge answered by `amr` (how: RFC 8176 values), with the id its grant will
 * carry; `null` when none is open.
 */
export function completeChallenge(sql: SqlStorage, id: string, sessionId: string, now: number, amr: string[], onlyKind?: "enroll"): CompletedChallenge | null {
  const row = openChallengeRow(sql, id, sessionId, now);
  if (!row || (onlyKind && row.kind !== onlyKind)) return null;
  const grantId = randomId();
  sql.exec("UPDATE challenges SET verified_at = ?, grant_id = ?, amr = ? WHERE id = ?", now, grantId, JSON.stringify(amr), id);
  return {
    operation: row.operation,
    returnTo: row.return_to,
    digest: row.digest,
    grantId,
    held: row.held === 1,
    verifiedAt: now,
    approving: JSON.parse(row.display ?? "[]") as ApprovedField[],
    amr,
  };
}
