/**
 * @module
 * The user's factors (`factors` table: pending enrolments and active factors) and backup codes.
 */
import { credentialKind } from "../../factors/authenticator-names";
import { iso } from "../../lib/iso-time";
import type { CodeKind } from "./sent-codes";
import type { FactorSummary, UserDetails } from "./views";

/** How long a started enrolment waits for its first code. */
export const ENROLLMENT_TTL_MS = 15 * 60_000;

export type FactorRow = {
  id: string;
  kind: string;
  address: string | null;
  name: string | null;
  backup_eligible: number | null;
  backed_up: number | null;
  transports: string | null;
};

const FACTOR_COLUMNS = "id, kind, address, name, backup_eligible, backed_up, transports";

/**
 * `+14155552671` → `+1•••••••2671`; `alice@demo.test` → `a••••@demo.test`.
 * @example
 * maskAddress("email", "alice@demo.test")
 */
export function maskAddress(kind: CodeKind, address: string): string {
  if (kind === "sms") return `${address.slice(0, 2)}${"•".repeat(Math.max(0, address.length - 6))}${address.slice(-4)}`;
  const at = address.lastIndexOf("@");
  return `${address.slice(0, 1)}${"•".repeat(Math.min(6, Math.max(1, at - 1)))}${address.slice(at)}`;
}

/** The confirmed factors, oldest first. */
export function factorRows(sql: SqlStorage): FactorRow[] {
  return sql.exec<FactorRow>(`SELECT ${FACTOR_COLUMNS} FROM factors WHERE status = 'active' ORDER BY created_at`).toArray();
}

export function activeFactors(sql: SqlStorage): FactorSummary[] {
  return factorRows(sql).map(factorSummary);
}

function factorSummary(f: FactorRow): FactorSummary {
  const passkey =
    f.kind === "webauthn"
      ? {
          kind: credentialKind({ backupEligible: f.backup_eligible === 1, transports: JSON.parse(f.transports ?? "[]") as string[] }),
          synced: f.backed_up === 1,
        }
      : null;
  return { id: f.id, kind: f.kind, destination: f.address ? maskAddress(f.kind as CodeKind, f.address) : null, name: f.name, passkey };
}

/** The confirmed factors with when they were added and last used, as an admin sees them. */
export function factorDetails(sql: SqlStorage): UserDetails["factors"] {
  return sql
    .exec<FactorRow & { created_at: number; last_used_at: number }>(
      `SELECT ${FACTOR_COLUMNS}, created_at, last_used_at FROM factors WHERE status = 'active' ORDER BY created_at`,
    )
    .toArray()
    .map((f) => ({
      ...factorSummary(f),
      createdAt: iso(f.created_at),
      // A TOTP factor notes the time step of the code last accepted, a passkey its last assertion (seconds).
      lastUsedAt: (f.kind === "totp" || f.kind === "webauthn") && f.last_used_at > 0 ? iso(f.last_used_at * 1000) : null,
    }));
}

export function backupCodesLeft(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM backup_codes").one().n;
}

/** Replaces every backup code with these hashes. */
export function replaceBackupCodes(sql: SqlStorage, hashes: string[], now: number): void {
  sql.exec("DELETE FROM backup_codes");
  for (const hash of hashes) sql.exec("INSERT INTO backup_codes (hash, created_at) VALUES (?, ?)", hash, now);
}

/** Drops pending enrolments older than {@link ENROLLMENT_TTL_MS}. */
export function dropStalePending(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM factors WHERE status = 'pending' AND created_at <= ?", now - ENROLLMENT_TTL_MS);
}
