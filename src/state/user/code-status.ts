/**
 * @module
 * Where a code by text or email stands, for the page that asks for it when it is opened again:
 * whether the code sent for a challenge or a pending enrolment still works, and when the user's
 * limits let another be sent. So a user who left the page comes back to the code they were sent,
 * and a wait is counted down on the page instead of being met as a refusal.
 */
import type { CodeSettings } from "../../factors/code-settings";
import { codeDestination } from "./code-sends";
import type { UserContext } from "./context";
import { mayAddFactor } from "./enrollment";
import { ENROLLMENT_TTL_MS, maskAddress } from "./factors";
import { type CodeKind, liveCode, sendRefusal } from "./sent-codes";
import type { CodeTarget, Refusal, SentCodeStatus } from "./views";

export interface CodeStatusInput {
  kind: CodeKind;
  sessionId: string;
  settings: CodeSettings;
  perUserPerHour: number;
}

/**
 * The code for a challenge or a pending enrolment: where codes go, whether the one sent still
 * works (unexpired, tries left, by this channel) and when another may be sent. Reads only.
 * @example
 * sentCodeStatus(user, { target: { challengeId }, kind: "sms", sessionId, settings, perUserPerHour: 5 }, Date.now())
 */
export function sentCodeStatus(user: UserContext, input: CodeStatusInput & { target: CodeTarget }, now: number): SentCodeStatus | Refusal {
  const found = codeDestination(user, input.target, input.kind, input.sessionId, now);
  if ("ok" in found) return found;
  const code = liveCode(user.sql, found.purpose, now);
  const refused = sendRefusal(user.sql, input.kind, input.settings, input.perUserPerHour, now);
  return {
    ok: true,
    enrollmentId: "enrollmentId" in input.target ? input.target.enrollmentId : null,
    destination: maskAddress(input.kind, found.address),
    sent: code !== null && code.kind === input.kind && code.attemptsLeft > 0,
    resendAfter: refused ? now + refused.retryAfterSeconds * 1000 : now,
  };
}

/**
 * The newest pending enrolment by `kind` whose code was sent and still works, so its page asks
 * for that code again rather than for the address; `null` when there is none, or when this
 * session may not add a factor now (the address form then leads to a verification first).
 * @example
 * resumableEnrollment(user, { kind: "email", sessionId, settings, perUserPerHour: 5 }, Date.now())
 */
export function resumableEnrollment(user: UserContext, input: CodeStatusInput, now: number): SentCodeStatus | null {
  if (mayAddFactor(user, input.sessionId, now, () => false)) return null;
  const pending = user.sql
    .exec<{ id: string }>(
      "SELECT id FROM factors WHERE status = 'pending' AND kind = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1",
      input.kind,
      now - ENROLLMENT_TTL_MS,
    )
    .toArray()[0];
  if (!pending) return null;
  const status = sentCodeStatus(user, { ...input, target: { enrollmentId: pending.id } }, now);
  return status.ok && status.sent ? status : null;
}
