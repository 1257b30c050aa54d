/**
 * @module
 * Matching an answer (TOTP code, backup code, sent code) and spending it once. Matching awaits
 * WebCrypto; spending is synchronous, so the replay check and its write cannot be split.
 */
import { normalizeBackupCode } from "../../factors/backup-codes";
import { normalizeNumericCode } from "../../factors/one-time-code";
import { matchTotpStep, type TotpSettings } from "../../factors/totp";
import { digestsEqual } from "../../lib/crypto";
import { keyedHashCandidates } from "../../lib/keyed-hash";
import { unseal } from "../../lib/sealed";
import { liveCode, spendSentCode } from "./sent-codes";
import type { AnswerFactor, AnswerSettings, AppSettings } from "./views";

export type Matched =
  /** `usedAt`: start of the code's time step, in seconds; a code is good only after the last one used. */
  { kind: "totp"; factorId: string; usedAt: number } | { kind: "backup_code"; hash: string } | { kind: "sent_code"; purpose: string; hash: string } | null;

/** Whose secrets these are: sealed secrets and code hashes are bound to one object. */
export interface Keys {
  env: Env;
  sql: SqlStorage;
  owner: string;
}

/** An answer to a challenge, as {@link matchAnswer} reads it. */
export type AnswerInput = { challengeId: string; factor: AnswerFactor; code: string; settings: AnswerSettings };

/** The sent code's purpose an answer with this factor spends, if it is a sent code. */
export function sentCodePurposeOf(factor: AnswerFactor, challengeId: string): string | null {
  return factor === "sms" || factor === "email" ? `challenge:${challengeId}` : null;
}

export async function matchAnswer(keys: Keys, input: AnswerInput, factorId: string | null, now: number): Promise<Matched> {
  if (input.factor === "totp") {
    const row = keys.sql
      .exec<{ secret_sealed: string; totp_settings: string | null }>("SELECT secret_sealed, totp_settings FROM factors WHERE id = ?", factorId)
      .one();
    return matchTotp(keys, factorId!, row, input.code, input.settings.totp, now);
  }
  if (input.factor === "backup_code") return matchBackupCode(keys, input.code);
  const live = liveCode(keys.sql, `challenge:${input.challengeId}`, now);
  return live?.kind === input.factor ? matchSentCode(keys, `challenge:${input.challengeId}`, input.code, now) : null;
}

/** Matches with the settings the app was enrolled with; only the skew follows the current policy. */
export async function matchTotp(
  keys: Keys,
  factorId: string,
  row: { secret_sealed: string | null; totp_settings: string | null },
  code: string,
  policy: TotpSettings,
  now: number,
): Promise<Matched> {
  const settings = { ...policy, ...(row.totp_settings ? (JSON.parse(row.totp_settings) as AppSettings) : {}) };
  const step = await matchTotpStep(await unseal(keys.env, row.secret_sealed!, `totp:${keys.owner}`), code, settings, now);
  return step === null ? null : { kind: "totp", factorId, usedAt: step * settings.periodSeconds };
}

async function matchBackupCode(keys: Keys, code: string): Promise<Matched> {
  const kids = keys.sql
    .exec<{ hash: string }>("SELECT hash FROM backup_codes")
    .toArray()
    .map((r) => r.hash.split(":")[0]!);
  for (const hash of await keyedHashCandidates(keys.env, `${keys.owner}:backup`, normalizeBackupCode(code), kids)) {
    if (keys.sql.exec("SELECT 1 FROM backup_codes WHERE hash = ?", hash).toArray().length > 0) return { kind: "backup_code", hash };
  }
  return null;
}

export async function matchSentCode(keys: Keys, purpose: string, code: string, now: number): Promise<Matched> {
  const live = liveCode(keys.sql, purpose, now);
  const normalized = live ? normalizeNumericCode(code, code.replace(/[\s-]/g, "").length) : null;
  if (!live || !normalized) return null;
  const [kid] = live.hash.split(":");
  const [hash] = await keyedHashCandidates(keys.env, `${keys.owner}:code:${purpose}`, normalized, [kid!]);
  // Equal-length hex digests; whether they match is the only thing this reveals.
  return hash !== undefined && digestsEqual(hash, live.hash) ? { kind: "sent_code", purpose, hash } : null;
}

/** Spends a matched code: a TOTP step only if later than the last one used, any other code once. */
export function spendCode(sql: SqlStorage, matched: NonNullable<Matched>): boolean {
  // Each check and its write run with no await between them, so no other request interleaves.
  if (matched.kind === "sent_code") return spendSentCode(sql, matched.purpose, matched.hash, Date.now());
  if (matched.kind === "backup_code") {
    if (sql.exec("SELECT 1 FROM backup_codes WHERE hash = ?", matched.hash).toArray().length === 0) return false;
    sql.exec("DELETE FROM backup_codes WHERE hash = ?", matched.hash);
    return true;
  }
  const row = sql.exec<{ last_used_at: number }>("SELECT last_used_at FROM factors WHERE id = ?", matched.factorId).toArray()[0];
  if (!row || matched.usedAt <= row.last_used_at) return false;
  sql.exec("UPDATE factors SET last_used_at = ? WHERE id = ?", matched.usedAt, matched.factorId);
  return true;
}
