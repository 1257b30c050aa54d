/**
 * @module
 * Trusted devices (`devices` table): browsers a user chose to trust for a while.
 */
import { iso } from "../../lib/iso-time";
import type { DeviceView } from "./views";

/** The devices still trusted, newest first. */
export function listDevices(sql: SqlStorage, now: number): DeviceView[] {
  return sql
    .exec<{ id: string; name: string; created_at: number; last_used_at: number; ip: string | null; expires_at: number }>(
      "SELECT id, name, created_at, last_used_at, ip, expires_at FROM devices WHERE expires_at > ? ORDER BY created_at DESC",
      now,
    )
    .toArray()
    .map((d) => ({ id: d.id, name: d.name, createdAt: iso(d.created_at), lastUsedAt: iso(d.last_used_at), ip: d.ip, expiresAt: iso(d.expires_at) }));
}

export function trustedDevice(sql: SqlStorage, deviceId: string, now: number): { id: string } | null {
  return sql.exec<{ id: string }>("SELECT id FROM devices WHERE id = ? AND expires_at > ?", deviceId, now).toArray()[0] ?? null;
}

/** Adds a trusted device; past `max` devices the oldest is dropped, and expired ones always. */
export function addDevice(sql: SqlStorage, device: { id: string; name: string; ip: string | null; expiresAt: number; max: number }, now: number): void {
  sql.exec("DELETE FROM devices WHERE expires_at <= ?", now);
  sql.exec(
    "INSERT INTO devices (id, name, created_at, last_used_at, ip, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    device.id,
    device.name,
    now,
    now,
    device.ip,
    device.expiresAt,
  );
  sql.exec("DELETE FROM devices WHERE id IN (SELECT id FROM devices ORDER BY created_at DESC LIMIT -1 OFFSET ?)", device.max);
}

export function touchDevice(sql: SqlStorage, deviceId: string, ip: string | null, now: number): void {
  sql.exec("UPDATE devices SET last_used_at = ?, ip = ? WHERE id = ?", now, ip, deviceId);
}

/** Removes a device; `false` when there was none with this id. */
export function removeDevice(sql: SqlStorage, deviceId: string): boolean {
  const found = sql.exec<{ id: string }>("SELECT id FROM devices WHERE id = ?", deviceId).toArray().length > 0;
  if (found) sql.exec("DELETE FROM devices WHERE id = ?", deviceId);
  return found;
}
