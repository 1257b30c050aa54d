/**
 * @module
 * Sending a code (text or email) for a challenge or a pending enrolment, within the per-user
 * limits, and withdrawing it when it could not be delivered.
 */
import type { CodeSettings } from "../../factors/code-settings";
import { newNumericCode } from "../../factors/one-time-code";
import { keyedHash } from "../../lib/keyed-hash";
import type { RequestOrigin } from "./audit";
import { openChallengeRow } from "./challenges";
import type { UserContext } from "./context";
import { ENROLLMENT_TTL_MS, factorRows, maskAddress } from "./factors";
import { releaseSend, reserveSend, storeCode, type CodeKind } from "./sent-codes";
import { rememberedLanguage } from "./settings";
import type { CodeTarget, IssuedCode, Refusal } from "./views";

/**
 * Makes a code for a challenge or a pending enrolment and records the send, within the
 * per-user cooldown and hourly cap. The send is recorded before the first await, so parallel
 * requests cannot both pass a limit. The caller delivers the code, or calls `withdrawCode`.
 */
export async function issueCode(
  user: UserContext,
  input: {
    target: CodeTarget;
    kind: CodeKind;
    sessionId: string;
    settings: CodeSettings;
    perUserPerHour: number;
    origin: RequestOrigin;
  },
): Promise<IssuedCode> {
  const now = Date.now();
  const found = codeDestination(user, input.target, input.kind, input.sessionId, now);
  if ("ok" in found) return found;
  const refused = reserveSend(user.sql, found.purpose, input.kind, input.settings, input.perUserPerHour, now);
  if (refused) {
    user.record(now, "code.refused", input.origin, { factor: input.kind, reason: refused.error, purpose: found.purpose.split(":")[0] });
    return { ok: false, ...refused };
  }
  const code = newNumericCode(input.settings.codeLength);
  const hash = await keyedHash(user.env, `${user.owner}:code:${found.purpose}`, code);
  const expiresAt = now + input.settings.codeTtlSeconds * 1000;
  storeCode(user.sql, found.purpose, { kind: input.kind, factorId: found.factorId, hash, expiresAt, attemptsLeft: input.settings.maxAttemptsPerCode });
  user.record(now, "code.sent", input.origin, { factor: input.kind, to: maskAddress(input.kind, found.address), purpose: found.purpose.split(":")[0] });
  return {
    ok: true,
    code,
    kind: input.kind,
    destination: found.address,
    expiresAt,
    purpose: found.purpose,
    sentAt: now,
    resendAfter: now + input.settings.resendCooldownSeconds * 1000,
    language: rememberedLanguage(user.sql),
  };
}

/** Undoes {@link issueCode} when the code could not be delivered: no live code, no send counted. */
export async function withdrawCode(user: UserContext, purpose: string, sentAt: number, reason: string, origin: RequestOrigin): Promise<void> {
  releaseSend(user.sql, purpose, sentAt);
  user.record(Date.now(), "code.undelivered", origin, { purpose: purpose.split(":")[0], reason });
}

/** Where a code for `target` goes, or why none can be sent. */
export function codeDestination(
  user: UserContext,
  target: CodeTarget,
  kind: CodeKind,
  sessionId: string,
  now: number,
): { purpose: string; factorId: string; address: string } | Refusal {
  if ("enrollmentId" in target) {
    const row = user.sql
      .exec<{ address: string }>(
        "SELECT address FROM factors WHERE id = ? AND kind = ? AND status = 'pending' AND created_at > ?",
        target.enrollmentId,
        kind,
        now - ENROLLMENT_TTL_MS,
      )
      .toArray()[0];
    return row
      ? { purpose: `enroll:${target.enrollmentId}`, factorId: target.enrollmentId, address: row.address }
      : { ok: false, error: "enrollment_not_found" };
  }
  if (!openChallengeRow(user.sql, target.challengeId, sessionId, now)) return { ok: false, error: "challenge_not_found" };
  const factor = factorRows(user.sql).find((f) => f.kind === kind);
  return factor?.address
    ? { purpose: `challenge:${target.challengeId}`, factorId: factor.id, address: factor.address }
    : { ok: false, error: "factor_not_enrolled" };
}
