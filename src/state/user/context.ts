/**
 * @module
 * What the user object hands its plain functions: its storage and keys, the three ways a
 * change is made known (an audit entry, a changed status, a user seen), and the steps the
 * fault and race tests replace on the instance.
 */
import type { AnswerInput, Keys, Matched } from "./answers";
import type { RequestOrigin } from "./audit";

export interface UserContext extends Keys {
  /** Appends to the user's audit trail; the entry reaches the tenant's trail with the next batch. */
  record(now: number, type: string, origin: RequestOrigin, detail: Record<string, unknown>): void;
  /** The user's directory row changed: it is sent to the tenant's object with the next batch. */
  statusChanged(): void;
  /** Notes the user in their profile the first time, and the session's email when it changes. */
  seen(email: string | null | undefined, now: number): void;
  matchAnswer(input: AnswerInput, factorId: string | null, now: number): Promise<Matched>;
  grantSpent(jti: string): boolean;
  applyEnrollmentEpoch(epoch: number | undefined): Promise<void>;
  /** Runs `fn` as one storage transaction: a throw half-way rolls back its writes. */
  transaction<T>(fn: () => T): T;
}
