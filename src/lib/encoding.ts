/**
 * @module
 * base64url without padding (RFC 4648 §5), for tokens that travel in URLs, cookies and headers;
 * standard base64, where a format asks for it; lowercase hex, for digests.
 */

/** @example base64url(new Uint8Array([251, 255])) // "-_8" */
export function base64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Standard base64 with padding (RFC 4648 §4), as Standard Webhooks' secrets and signatures are written. @example base64(new Uint8Array([251, 255])) // "+/8=" */
export function base64(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = "";
  for (const byte of view) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lowercase hex, two digits a byte. @example hex(new Uint8Array([10, 255])) // "0aff" */
export function hex(bytes: Uint8Array | ArrayBuffer): string {
  return [...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** @example fromBase64url("-_8") // Uint8Array [251, 255]; throws on malformed input */
export function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
