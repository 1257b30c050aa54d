/**
 * @module
 * The numeric codes sent by text or email: uniformly random digits, checked with the same
 * leniency for spaces as authenticator codes.
 */

/**
 * `length` uniformly random digits (rejection sampling, so no digit is more likely).
 * @example
 * newNumericCode(6) // "049217"
 */
export function newNumericCode(length: number): string {
  let code = "";
  while (code.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 250 = 25 × 10: bytes at or above it would favour 0–5.
      if (byte < 250 && code.length < length) code += String(byte % 10);
    }
  }
  return code;
}

/** The code as typed, without spaces and dashes; `null` when it cannot be a code of `length` digits. */
export function normalizeNumericCode(input: string, length: number): string | null {
  const code = input.replace(/[\s-]/g, "");
  return code.length === length && /^\d+$/.test(code) ? code : null;
}
