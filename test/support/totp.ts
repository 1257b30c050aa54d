/** Authenticator-app codes for tests, made the way an app makes them. */
import { Secret, TOTP } from "otpauth";

export function totpCode(secretBase32: string, atMs = Date.now(), options: { digits?: number; period?: number; algorithm?: string } = {}): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    timestamp: atMs,
    digits: options.digits ?? 6,
    period: options.period ?? 30,
    algorithm: options.algorithm ?? "SHA1",
  });
}

/** A code the right app would not show now: the right code with its last digit changed. */
export function wrongCode(secretBase32: string, atMs = Date.now()): string {
  const right = totpCode(secretBase32, atMs);
  return right.slice(0, -1) + String((Number(right.at(-1)) + 5) % 10);
}
